"""The reference for bench/learn: wit's training recipe in PyTorch on the same decoded images.

Reads what bench/learn exported (DATA.json + DATA.bin): the train samples as wit's decoded cache
holds them (shorter side = image size, uint8) with their token ids from wit's vocabulary, and the
held-out images with the token ids of their class prompts. Trains the model of train_step.py with
wit's recipe: wit's initialisation, convolutions padded as tfjs pads 'same' (the extra row and column
after, not before), a random resized square crop per sample per epoch, CLIP normalisation, shuffled epochs
with the last partial batch dropped, AdamW (0.9, 0.98, 1e-6) with decoupled weight decay off biases
and the temperature, linear warmup then cosine to 0, temperature clamped at ln 100. Then writes the
L2-normalised embeddings of the held-out images and of the prompts (float32, images first) to
--embeddings, for bench/learn to score as it scores wit's. Prints one JSON line.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_step import BagOfWordsClip, contrastive_loss, runtime_facts  # noqa: E402

CLIP_MEAN = torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(1, 3, 1, 1)
CLIP_STD = torch.tensor([0.26862954, 0.26130258, 0.27577711]).view(1, 3, 1, 1)


def load(path):
    with open(path + ".json") as f:
        meta = json.load(f)
    with open(path + ".bin", "rb") as f:
        pixels = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8)

    def image(record):
        w, h, c, offset = record["width"], record["height"], record["channels"], record["offset"]
        return pixels[offset:offset + w * h * c].view(h, w, c)[:, :, :3]

    train = [(image(r), torch.tensor(r["tokens"], dtype=torch.long)) for r in meta["train"]]
    held_out = [image(r) for r in meta["heldOut"]["images"]]
    return meta, train, held_out


def crop(image, size, min_scale, generator):
    """wit's random resized crop: a square of sqrt(scale) x the shorter side, scale uniform in [min_scale, 1], at a random offset, resized bilinearly."""
    h, w = image.shape[0], image.shape[1]
    scale = min_scale + (1 - min_scale) * float(torch.rand(1, generator=generator))
    side = max(1, min(min(w, h), math.floor(math.sqrt(scale) * min(w, h) + 0.5)))
    left = int(torch.randint(0, w - side + 1, (1,), generator=generator))
    top = int(torch.randint(0, h - side + 1, (1,), generator=generator))
    square = image[top:top + side, left:left + side]
    if side == size:
        return square.float()
    resized = F.interpolate(square.permute(2, 0, 1).unsqueeze(0).float(), size=(size, size), mode="bilinear", align_corners=False)
    return resized.squeeze(0).permute(1, 2, 0)


def centre(image, size):
    h, w = image.shape[0], image.shape[1]
    top, left = max(0, (h - size) // 2), max(0, (w - size) // 2)
    return image[top:top + size, left:left + size]


def to_batch(crops):
    images = torch.stack(crops).permute(0, 3, 1, 2).float() / 255
    return (images - CLIP_MEAN) / CLIP_STD


def bag(token_lists):
    offsets = torch.tensor([0] + [len(t) for t in token_lists[:-1]]).cumsum(0)
    return torch.cat(token_lists) if token_lists else torch.zeros(0, dtype=torch.long), offsets


class SamePad(torch.nn.Module):
    """tfjs's 'same' padding of a 3x3 stride-2 convolution: what is odd goes after (PyTorch's padding=1 puts 1 before)."""

    def forward(self, x):
        def split(size):
            total = max((-(-size // 2) - 1) * 2 + 3 - size, 0)
            return total // 2, total - total // 2
        top, bottom = split(x.shape[2])
        left, right = split(x.shape[3])
        return F.pad(x, (left, right, top, bottom))


def pad_like_wit(model):
    layers = []
    for layer in model.convs:
        if isinstance(layer, torch.nn.Conv2d):
            layer.padding = (0, 0)
            layers.append(SamePad())
        layers.append(layer)
    model.convs = torch.nn.Sequential(*layers)


def init_like_wit(model):
    with torch.no_grad():
        model.embedding.weight.normal_(0, 0.02)
        model.text_projection.weight.normal_(0, model.text_projection.in_features ** -0.5)
        model.image_projection.weight.normal_(0, model.image_projection.in_features ** -0.5)
        for conv in model.convs:
            if isinstance(conv, torch.nn.Conv2d):
                bound = 1 / math.sqrt(9 * conv.in_channels)
                conv.weight.uniform_(-bound, bound)
                conv.bias.uniform_(-bound, bound)


def lr_at(step, peak, warmup, total):
    if step < warmup:
        return peak * (step + 1) / warmup
    if total - warmup <= 0:
        return peak
    progress = min(1, (step - warmup) / (total - warmup))
    return 0.5 * (1 + math.cos(math.pi * progress)) * peak


def embeddings(model, held_out, prompt_tokens, size):
    with torch.no_grad():
        image = F.normalize(model.image_projection(model.convs(to_batch([centre(i, size) for i in held_out])).mean(dim=(2, 3))), dim=-1)
        ids, offsets = bag([torch.tensor(t, dtype=torch.long) for t in prompt_tokens])
        text = F.normalize(model.text_projection(model.embedding(ids, offsets)), dim=-1)
        return torch.cat([image, text]).contiguous()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--total-steps", type=int, required=True)
    parser.add_argument("--warmup-steps", type=int, required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--embeddings", required=True)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    meta, train, held_out = load(args.data)
    s = meta["settings"]
    model = BagOfWordsClip(s["vocabSize"], s["embedDim"], s["embedDim"], s["convChannels"])
    pad_like_wit(model)
    init_like_wit(model)
    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": s["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=s["lr"], betas=(0.9, 0.98), eps=1e-6,
    )
    size, batch = s["imageSize"], s["batchSize"]
    step, start, cpu_start = 0, time.perf_counter(), time.process_time()
    while step < args.total_steps:
        order = torch.randperm(len(train), generator=generator).tolist()
        for at in range(0, len(order) - batch + 1, batch):
            if step >= args.total_steps:
                break
            samples = [train[i] for i in order[at:at + batch]]
            images = to_batch([crop(image, size, s.get("cropMinScale", 1.0), generator) for image, _ in samples])
            ids, offsets = bag([tokens for _, tokens in samples])
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step, s["lr"], args.warmup_steps, args.total_steps)
            image, text = model(images, ids, offsets)
            loss = contrastive_loss(image, text, model.logit_scale)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if s["gradClipNorm"] is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), s["gradClipNorm"])
            optimizer.step()
            with torch.no_grad():
                model.logit_scale.clamp_(0, math.log(100))
            step += 1
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    with open(args.embeddings, "wb") as f:
        f.write(embeddings(model, held_out, meta["heldOut"]["promptTokens"], size).numpy().astype("<f4").tobytes())
    print(json.dumps({
        "steps": step,
        "samplesSeen": step * batch,
        "seconds": seconds,
        "cpuSeconds": cpu_seconds,
        "finalLoss": float(loss),
        **runtime_facts(),
    }))


if __name__ == "__main__":
    main()
