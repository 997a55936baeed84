"""The reference for bench/train: wit's default model and training step in PyTorch on the CPU.

Same model as train/engine (embedding bag -> linear -> L2; 3x3 stride-2 convs 3-32-64-128-256 with
ReLU, global average pool -> linear -> L2; logits = exp(t) I T^T; symmetric cross-entropy; AdamW
with decoupled weight decay off biases and t; grad-norm clipping), on synthetic data. Prints one
JSON line: samples/s and which BLAS library the process loaded.
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class BagOfWordsClip(nn.Module):
    def __init__(self, vocab_size, word_dim, embed_dim, conv_channels):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, word_dim, mode="mean")
        self.text_projection = nn.Linear(word_dim, embed_dim, bias=False)
        layers, in_channels = [], 3
        for out_channels in conv_channels:
            layers += [nn.Conv2d(in_channels, out_channels, 3, stride=2, padding=1), nn.ReLU()]
            in_channels = out_channels
        self.convs = nn.Sequential(*layers)
        self.image_projection = nn.Linear(in_channels, embed_dim, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def forward(self, images, token_ids, offsets):
        image = F.normalize(self.image_projection(self.convs(images).mean(dim=(2, 3))), dim=-1)
        text = F.normalize(self.text_projection(self.embedding(token_ids, offsets)), dim=-1)
        return image, text


def contrastive_loss(image, text, logit_scale):
    logits = logit_scale.exp() * image @ text.t()
    labels = torch.arange(logits.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2


def loaded_blas():
    """The BLAS/LAPACK shared objects this process mapped (after a matmul), and a 512^3 matmul's GFLOP/s."""
    a, b = torch.randn(512, 512), torch.randn(512, 512)
    a @ b
    start = time.perf_counter()
    for _ in range(10):
        a @ b
    gflops = 10 * 2 * 512**3 / (time.perf_counter() - start) / 1e9
    libraries = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if ("blas" in path or "lapack" in path) and path.startswith("/"):
                libraries.add(os.path.realpath(path))
    return sorted(libraries), gflops


def runtime_facts():
    """torch's version, its thread count, the BLAS it loaded and that BLAS's speed, for the JSON line."""
    libraries, gflops = loaded_blas()
    return {"torch": torch.__version__, "threads": torch.get_num_threads(), "blasLibraries": libraries, "matmul512Gflops": gflops}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--vocab", type=int, default=20000)
    parser.add_argument("--embed-dim", type=int, default=256)
    parser.add_argument("--words-per-caption", type=int, default=10)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup-steps", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = BagOfWordsClip(args.vocab, args.embed_dim, args.embed_dim, [32, 64, 128, 256])
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
        lr=5e-4, betas=(0.9, 0.98), eps=1e-6,
    )
    images = torch.randn(args.batch, 3, args.image_size, args.image_size)
    token_ids = torch.randint(0, args.vocab, (args.batch * args.words_per_caption,))
    offsets = torch.arange(0, args.batch * args.words_per_caption, args.words_per_caption)

    def step():
        image, text = model(images, token_ids, offsets)
        loss = contrastive_loss(image, text, model.logit_scale)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        return loss.item()

    for _ in range(args.warmup_steps):
        step()
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        step()
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    print(json.dumps({
        "samplesPerSec": args.batch * args.steps / seconds,
        "secsPerStep": seconds / args.steps,
        "cpuSecsPerStep": cpu_seconds / args.steps,
        **runtime_facts(),
    }))


if __name__ == "__main__":
    main()
