"""Makes a tiny English Whisper model in CTranslate2's own format, with random weights, for the
packs-real tests: the Hugging Face hub that serves faster-whisper's real models cannot be reached
here, so this proves the integration (faster-whisper loading a CTranslate2 model folder, decoding,
word timestamps, the runner's track), not recognition quality.

    python make_whisper_model.py OUTPUT_DIR

Runs in an environment with ctranslate2, tokenizers and numpy (the whisper pack's own libraries).
The vocabulary is byte-level (256 byte symbols) followed by Whisper's special and timestamp tokens in
Whisper's order, so faster-whisper's Tokenizer finds every token it asks for.
"""
import os
import sys

import numpy
from ctranslate2.specs import model_spec, whisper_spec
from tokenizers import Tokenizer, decoders, models, pre_tokenizers

WIDTH, HEADS, LAYERS, MELS = 64, 2, 1, 80
ENCODER_POSITIONS, DECODER_POSITIONS = 1500, 448
SPECIALS = ["<|endoftext|>", "<|startoftranscript|>", "<|translate|>", "<|transcribe|>", "<|startoflm|>",
            "<|startofprev|>", "<|nocaptions|>", "<|notimestamps|>"]
TIMESTAMPS = ["<|%.2f|>" % (i * 0.02) for i in range(1501)]


def byte_symbols():
    """GPT-2's byte-to-unicode table: the 256 printable symbols byte-level BPE writes bytes as."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    codes, extra = printable[:], 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return [chr(code) for _, code in sorted(zip(printable, codes))]


def shape_of(scope, vocabulary):
    """The shape of one weight, from its place in the spec."""
    name = scope.split("/")
    if name[-2] == "conv1":
        return (WIDTH, MELS, 3) if name[-1] == "weight" else (WIDTH,)
    if name[-2] == "conv2":
        return (WIDTH, WIDTH, 3) if name[-1] == "weight" else (WIDTH,)
    if name[-1] == "encodings":
        return (ENCODER_POSITIONS if name[0] == "encoder" else DECODER_POSITIONS, WIDTH)
    if name[-2] == "layer_norm":
        return (WIDTH,)
    if name[-2] in ("embeddings", "projection"):
        return (vocabulary, WIDTH) if name[-1] == "weight" else (vocabulary,)
    rows = {("self_attention", "linear_0"): 3 * WIDTH, ("attention", "linear_1"): 2 * WIDTH, ("ffn", "linear_0"): 4 * WIDTH}
    out = rows.get((name[-3], name[-2]), WIDTH)
    columns = 4 * WIDTH if (name[-3], name[-2]) == ("ffn", "linear_1") else WIDTH
    return (out, columns) if name[-1] == "weight" else (out,)


def main(output):
    tokens = byte_symbols() + SPECIALS + TIMESTAMPS
    spec = whisper_spec.WhisperSpec(LAYERS, HEADS, LAYERS, HEADS)
    random = numpy.random.default_rng(1)

    def fill(layer, scope, value):
        attribute = scope.split("/")[-1]
        wanted = value is None or (isinstance(value, str) and attribute in ("bias", "encodings"))
        if not wanted or (attribute == "bias" and "embeddings" in scope):
            return
        shape = shape_of(scope, len(tokens))
        if attribute == "gamma":
            data = numpy.ones(shape, numpy.float32)
        elif attribute in ("beta", "bias"):
            data = numpy.zeros(shape, numpy.float32)
        else:
            data = (random.standard_normal(shape) * 0.02).astype(numpy.float32)
        setattr(layer, attribute, data)

    model_spec.visit_spec(spec, fill)
    spec.config.suppress_ids = []
    spec.config.suppress_ids_begin = [len(byte_symbols())]  # <|endoftext|> never first, as Whisper's own config says
    spec.config.lang_ids = []
    spec.config.alignment_heads = [(0, head) for head in range(HEADS)]
    spec.register_vocabulary(tokens)
    spec.validate()
    spec.optimize()
    os.makedirs(output, exist_ok=True)
    spec.save(output)

    symbols = byte_symbols()
    tokenizer = Tokenizer(models.BPE(vocab={symbol: index for index, symbol in enumerate(symbols)}, merges=[]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens(SPECIALS + TIMESTAMPS)
    tokenizer.save(os.path.join(output, "tokenizer.json"))
    for index, token in enumerate(SPECIALS):
        assert tokenizer.token_to_id(token) == len(symbols) + index, token


if __name__ == "__main__":
    main(sys.argv[1])
