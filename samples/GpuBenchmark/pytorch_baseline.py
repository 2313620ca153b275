"""PyTorch on the same GPU and workloads as HybridGen's GpuBenchmark: eager, torch.jit.script and
torch.compile(mode="reduce-overhead"). Alternating rounds, medians in microseconds per call, the device
synchronized before each clock read. Usage: python3 pytorch_baseline.py OUT_FOLDER [rounds]"""
import json, statistics, sys, time
import torch
import torch.nn.functional as F

out = sys.argv[1] if len(sys.argv) > 1 else "gpu-results"
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
dev = "cuda"
torch.manual_seed(0)
R = lambda *s: torch.randn(*s, device=dev) * 0.05

def mlp(x, w1, b1, w2, b2, w3, b3):
    return F.linear(F.relu(F.linear(F.relu(F.linear(x, w1, b1)), w2, b2)), w3, b3)

def gelu_layernorm(x, gamma, beta):
    y = x
    for _ in range(4):
        y = F.layer_norm(F.gelu(y) + x, [1024], gamma, beta)
    return y

def gru_loop(steps: list[torch.Tensor], h, wx, wh, b):
    for x in steps:
        gx = (x @ wx + b).chunk(3, 1)
        gh = (h @ wh).chunk(3, 1)
        r = torch.sigmoid(gx[0] + gh[0])
        z = torch.sigmoid(gx[1] + gh[1])
        n = torch.tanh(gx[2] + r * gh[2])
        h = (1.0 - z) * n + z * h
    return h

def encoder_block(x, wqkv, wo, w1, w2, gamma1, gamma2):
    batch, seq, d = x.shape
    heads = 8
    hd = d // heads
    h = F.layer_norm(x, [d], gamma1)
    qkv = (h @ wqkv).reshape(batch, seq, 3, heads, hd).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    attention = F.softmax(q @ k.transpose(-2, -1) / (hd ** 0.5), -1) @ v
    x = x + attention.transpose(1, 2).reshape(batch, seq, d) @ wo
    m = F.layer_norm(x, [d], gamma2)
    return x + F.gelu(m @ w1) @ w2

workloads = [
    ("MLP 3 layers, batch 1", mlp, lambda: [R(1, 512), R(1024, 512), R(1024), R(1024, 1024), R(1024), R(10, 1024), R(10)], 500),
    ("GELU + LayerNorm chain, [8,1024]", gelu_layernorm, lambda: [R(8, 1024), torch.ones(1024, device=dev), torch.zeros(1024, device=dev)], 500),
    ("GRU cell, 16 steps, batch 1", gru_loop, lambda: [[R(1, 256) for _ in range(16)], R(1, 256), R(256, 768), R(256, 768), R(768)], 200),
    ("encoder block, batch 1", encoder_block, lambda: [R(1, 64, 512), R(512, 1536), R(512, 512), R(512, 2048), R(2048, 512), torch.ones(512, device=dev), torch.ones(512, device=dev)], 200),
    ("encoder block, batch 32", encoder_block, lambda: [R(32, 64, 512), R(512, 1536), R(512, 512), R(512, 2048), R(2048, 512), torch.ones(512, device=dev), torch.ones(512, device=dev)], 50),
]

rows = []
print(f"PyTorch {torch.__version__} on {torch.cuda.get_device_name()}, {rounds} rounds, medians (us per call)")
for name, fn, inputs, calls in workloads:
    args = inputs()
    paths = {"eager": fn, "jit.script": torch.jit.script(fn), "compile(reduce-overhead)": torch.compile(fn, mode="reduce-overhead")}
    with torch.no_grad():
        for _ in range(50):
            for f in paths.values():
                f(*args)
        times = {p: [] for p in paths}
        names = list(paths)
        for r in range(rounds):
            for k in range(len(names)):
                p = names[(r + k) % len(names)]
                torch.cuda.synchronize()
                start = time.perf_counter()
                for _ in range(calls):
                    paths[p](*args)
                torch.cuda.synchronize()
                times[p].append((time.perf_counter() - start) * 1e6 / calls)
    medians = {p: statistics.median(v) for p, v in times.items()}
    print(f"{name:34} " + "  ".join(f"{p} {m:8.1f}" for p, m in medians.items()))
    rows.append({"workload": name, **medians})
with open(f"{out}/pytorch.json", "w") as f:
    json.dump({"torch": torch.__version__, "device": torch.cuda.get_device_name(), "rows": rows}, f, indent=1)
