"""Contract double of faster_whisper.utils.download_model: writes a model folder."""
import os


def download_model(size_or_id, output_dir=None, local_files_only=False, cache_dir=None, revision=None):
    os.makedirs(output_dir, exist_ok=True)
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        with open(os.path.join(output_dir, name), "w") as out:
            out.write(size_or_id)
    return output_dir
