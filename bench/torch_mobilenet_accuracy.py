#!/usr/bin/env python3
"""PyTorch's side of the mobilenet-v2 accuracy comparison: the architecture of
../shared/anchors/torch-mobilenet-anchor.py (qat's zoo layout), trained on full
Fashion-MNIST with the budget of `npm run results -- --rows mobilenet`: float
epochs, then eager QAT epochs (fused Conv+BN, qnnpack fake quant), int8
convert. Prints float / fake-quant / int8 accuracy on the 10,000 test images.

The model definitions are read from the anchor at run time (never copied):
its source up to `def rate(` runs with the anchor's own argparse, fed the
architecture flags below. Images are scaled to [0, 1] and zero-padded
28 -> 32 with the original centred, as qat's datasets/adapt.ts does.

  npm run bench:torch-accuracy -- [--lr 1e-3] [--qat-lr 1e-4] [--schedule constant|cosine]
      [--float-epochs 3] [--qat-epochs 1] [--threads 1] [--limit N]

Defaults are the accuracy anchor's (torch-qat-anchor.py): Adam 1e-3 constant,
then QAT at Adam 1e-4 constant, batch 64. qat's mobilenet recipe is Adam 5e-3
on a cosine, fine-tuned at half that on a cosine: `--lr 5e-3 --qat-lr 2.5e-3
--schedule cosine`.
"""
import argparse
import gzip
import math
import os
import struct
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.ao.quantization as tq

HERE = os.path.dirname(os.path.abspath(__file__))
ANCHOR = os.path.normpath(os.path.join(HERE, '..', '..', 'shared', 'anchors', 'torch-mobilenet-anchor.py'))
SIZE = 32

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--float-epochs', type=int, default=3)
p.add_argument('--qat-epochs', type=int, default=1)
p.add_argument('--lr', type=float, default=1e-3, help='float phase Adam rate')
p.add_argument('--qat-lr', type=float, default=1e-4, help='QAT phase Adam rate')
p.add_argument('--schedule', choices=['constant', 'cosine'], default='constant',
               help="per phase; cosine decays to 0 over the phase like qat's")
p.add_argument('--batch', type=int, default=64)
p.add_argument('--alpha', type=float, default=0.35)
p.add_argument('--engine', default='qnnpack')
p.add_argument('--threads', type=int, default=1, help='torch threads (accuracy does not depend on them)')
p.add_argument('--seed', type=int, default=0)
p.add_argument('--limit', type=int, help='at most N images per split (quick checks)')
p.add_argument('--data', default='/usr/share/datasets/fashion-mnist')
p.add_argument('--save', help='write the QAT model state_dict here')
args = p.parse_args()


def fail(sentence):
    print(sentence, file=sys.stderr)
    sys.exit(1)


def load_anchor_model():
    """The anchor's MobileNet class, built by its own code for v2 / alpha / 32x32x1."""
    if not os.path.isfile(ANCHOR):
        fail(f'The model definitions come from {ANCHOR}, which is missing: check out ../shared beside the repository.')
    src = open(ANCHOR).read()
    cut = src.find('\ndef rate(')
    if cut < 0:
        fail(f'{ANCHOR} has no `def rate(` to end the model definitions at, so its layout is not the one this script reads.')
    argv = sys.argv
    sys.argv = [ANCHOR, '--model', 'v2', '--alpha', str(args.alpha), '--size', str(SIZE), '--channels', '1']
    scope = {'__name__': 'anchor', '__file__': ANCHOR}
    try:
        exec(compile(src[:cut], ANCHOR, 'exec'), scope)
    finally:
        sys.argv = argv
    return scope['MobileNet'], scope['CBR']


def idx(path):
    with gzip.open(path) as f:
        magic, = struct.unpack('>I', f.read(4))
        dims = struct.unpack('>' + 'I' * (magic & 0xff), f.read(4 * (magic & 0xff)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def split(prefix):
    for name in (f'{prefix}-images-idx3-ubyte.gz', f'{prefix}-labels-idx1-ubyte.gz'):
        if not os.path.isfile(os.path.join(args.data, name)):
            fail(f'Fashion-MNIST is expected as IDX gz files in {args.data} ({name} is missing).')
    x = idx(os.path.join(args.data, f'{prefix}-images-idx3-ubyte.gz'))
    y = idx(os.path.join(args.data, f'{prefix}-labels-idx1-ubyte.gz')).astype(np.int64)
    if args.limit is not None:
        x, y = x[:args.limit], y[:args.limit]
    x = torch.tensor(x, dtype=torch.float32).unsqueeze(1) / 255
    pad = (SIZE - x.shape[-1]) // 2  # 28 -> 32: 2 px each side, as qat pads
    return nn.functional.pad(x, (pad, SIZE - x.shape[-1] - pad, pad, SIZE - x.shape[-2] - pad)), torch.tensor(y)


def train(m, epochs, lr):
    opt = torch.optim.Adam(m.parameters(), lr)
    steps_per_epoch = math.ceil(len(xtr) / args.batch)
    total, step, seen = epochs * steps_per_epoch, 0, 0
    t = time.time()
    for epoch in range(epochs):
        perm = torch.randperm(len(xtr))
        m.train()
        loss_sum, right, n = 0.0, 0, 0
        for i in range(0, len(xtr), args.batch):
            if args.schedule == 'cosine':
                for g in opt.param_groups:
                    g['lr'] = lr * 0.5 * (1 + math.cos(math.pi * step / total))
            b = perm[i:i + args.batch]
            opt.zero_grad()
            out = m(xtr[b])
            loss = nn.functional.cross_entropy(out, ytr[b])
            loss.backward()
            opt.step()
            step += 1
            seen += len(b)
            loss_sum += loss.item() * len(b)
            right += (out.argmax(1) == ytr[b]).sum().item()
            n += len(b)
        print(f'  epoch {epoch + 1}/{epochs}: train loss {loss_sum / n:.4f}, train acc {right / n:.4f}, '
              f'{seen / (time.time() - t):.0f} img/s', flush=True)
    return seen / (time.time() - t), time.time() - t


def acc(m):
    m.eval()
    with torch.no_grad():
        return sum((m(xte[i:i + 500]).argmax(1) == yte[i:i + 500]).sum().item() for i in range(0, len(xte), 500)) / len(xte)


class ContiguousInput(nn.Module):
    def forward(self, x):
        return x.contiguous()


def agreement(a, b):
    with torch.no_grad():
        return sum((a(xte[i:i + 500]).argmax(1) == b(xte[i:i + 500]).argmax(1)).sum().item() for i in range(0, len(xte), 500)) / len(xte)


MobileNet, CBR = load_anchor_model()
torch.set_num_threads(args.threads)  # after the anchor, which sets its own
torch.manual_seed(args.seed)
xtr, ytr = split('train')
xte, yte = split('t10k')
print(f'torch {torch.__version__}, {args.threads} thread(s): mobilenet-v2 a{args.alpha} {SIZE}x{SIZE}x1 from {ANCHOR}; '
      f'{len(xtr)} train / {len(xte)} test images; batch {args.batch}; float {args.float_epochs} epoch(s) Adam {args.lr} {args.schedule}, '
      f'QAT {args.qat_epochs} epoch(s) Adam {args.qat_lr} {args.schedule} ({args.engine})', flush=True)
m = MobileNet()
fips, fsec = train(m, args.float_epochs, args.lr)
fa = acc(m)
print(f'float: {args.float_epochs} epochs, {fips:.0f} img/s, {fsec:.0f} s, test acc {fa:.4f}', flush=True)
torch.backends.quantized.engine = args.engine
m.train()
m.fuse()
m.qconfig = tq.get_default_qat_qconfig(args.engine)
tq.prepare_qat(m, inplace=True)
qips, qsec = train(m, args.qat_epochs, args.qat_lr)
qa = acc(m)
print(f'QAT ({args.engine}): {args.qat_epochs} epochs, {qips:.0f} img/s, {qsec:.0f} s, fake-quant test acc {qa:.4f}', flush=True)
m.eval()
# The anchor gives every block a FloatFunctional add, used only by residual blocks; the unused ones
# have observers that never ran, and convert warns about each of them.
warnings.filterwarnings('ignore', message='must run observer before calling calculate_qparams')
q = tq.convert(m)
# torch 1.13's quantized relu6 (and hardtanh, clamp) read a channels-last input, which is what a qnnpack
# conv returns, in the wrong element order; on a contiguous copy it is exact. Measured: without this the
# int8 model scores 10% (chance) against 90.6% fake-quant.
for cbr in q.modules():
    if isinstance(cbr, CBR) and len(cbr) > 2:
        cbr[2] = nn.Sequential(ContiguousInput(), cbr[2])
ia = acc(q)
agree = agreement(m, q)
print(f'int8 ({args.engine}) test acc {ia:.4f}; vs float {100 * (ia - fa):+.2f} pt; '
      f'same class as fake-quant on {100 * agree:.2f}% of test images', flush=True)
if args.save:
    torch.save(m.state_dict(), args.save)
