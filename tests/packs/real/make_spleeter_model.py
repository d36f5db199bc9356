"""Makes a Spleeter 2stems model folder with random weights, for the packs-real tests: Deezer's
pretrained models are GitHub release downloads, which cannot be reached here. The graph is built by
Spleeter's own model code (the same EstimatorSpecBuilder its Separator restores into) and saved as a
TensorFlow checkpoint, so loading and separating go through the real library; the stems are noise,
which proves the integration, not separation quality.

    python make_spleeter_model.py OUTPUT_DIR

Runs in an environment with spleeter and TensorFlow (the spleeter pack's own libraries).
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402
from spleeter.model import EstimatorSpecBuilder, InputProviderFactory  # noqa: E402
from spleeter.utils.configuration import load_configuration  # noqa: E402


def main(output):
    params = load_configuration("spleeter:2stems")
    os.makedirs(output, exist_ok=True)
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(1)
        features = InputProviderFactory.get(params).get_input_dict_placeholders()
        EstimatorSpecBuilder(features, params).build_predict_model()
        tf.compat.v1.train.get_or_create_global_step()  # the Estimator restores it with the weights
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            tf.compat.v1.train.Saver().save(session, os.path.join(output, "model"))


if __name__ == "__main__":
    main(sys.argv[1])
