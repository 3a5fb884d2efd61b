"""log p(target) of each token straight from hidden states: the unembedding and the
log-softmax in one autograd function.

Answers are short and the vocabulary large, so the logits are the largest tensor of
a training step. A plain `cross_entropy(head(h), y)` writes them, then their
log-softmax, then in the backward pass a zero-filled gradient and the softmax
gradient: four tensors of tokens × vocabulary. Here the forward pass turns the
logits into exp(z − max z) in place and keeps only those and their row sums; the
backward pass turns them into the logits' gradient in place,
d log p_y / d z = onehot(y) − softmax(z).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


class _TokenLogProbs(torch.autograd.Function):
    @staticmethod
    def forward(ctx, hidden, weight, bias, targets):
        shifted = F.linear(hidden, weight, bias).float()  # logits, shifted in place below
        shifted.sub_(shifted.amax(-1, keepdim=True))
        target_logits = shifted.gather(-1, targets[:, None])[:, 0]
        exps = shifted.exp_()
        totals = exps.sum(-1)
        logprobs = target_logits - totals.log()
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(hidden, weight, targets, exps, totals)
            ctx.has_bias = bias is not None
            ctx.used = False
        return logprobs

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_logprobs):
        if ctx.used:
            raise RuntimeError("token_logprobs keeps one gradient buffer: backward runs once")
        ctx.used = True
        hidden, weight, targets, exps, totals = ctx.saved_tensors
        grad_logits = exps.mul_((-grad_logprobs / totals)[:, None])  # − g · softmax
        grad_logits[torch.arange(len(targets), device=targets.device), targets] += grad_logprobs
        grad_logits = grad_logits.to(weight.dtype)
        grad_hidden = grad_logits @ weight if ctx.needs_input_grad[0] else None
        grad_weight = grad_logits.T @ hidden if ctx.needs_input_grad[1] else None
        grad_bias = grad_logits.sum(0) if ctx.has_bias and ctx.needs_input_grad[2] else None
        return grad_hidden, grad_weight, grad_bias, None


def token_logprobs(hidden: torch.Tensor, head: torch.nn.Linear, targets: torch.Tensor):
    """log p(targets[i]) under the distribution that hidden[i] predicts (float32)."""
    return _TokenLogProbs.apply(hidden, head.weight, head.bias, targets)
