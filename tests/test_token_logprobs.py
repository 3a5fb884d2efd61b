"""The fused unembedding + log-softmax equals the unfused computation, with gradients."""

import pytest
import torch
import torch.nn.functional as F

from unlearnflow.token_logprobs import token_logprobs


@pytest.mark.parametrize("bias", [False, True])
def test_values_and_gradients_equal_log_softmax_of_the_head(bias):
    torch.manual_seed(0)
    head = torch.nn.Linear(16, 50, bias=bias)
    hidden = torch.randn(7, 16, requires_grad=True)
    targets = torch.randint(0, 50, (7,))
    weights = torch.randn(7)  # a loss that weighs tokens differently

    def run(logprobs_of):
        head.zero_grad()
        hidden.grad = None
        logprobs = logprobs_of()
        (logprobs * weights).sum().backward()
        grads = [hidden.grad, head.weight.grad] + ([head.bias.grad] if bias else [])
        return logprobs.detach(), [g.clone() for g in grads]

    fused, fused_grads = run(lambda: token_logprobs(hidden, head, targets))
    plain, plain_grads = run(lambda: -F.cross_entropy(head(hidden), targets, reduction="none"))
    assert torch.allclose(fused, plain, atol=1e-6)
    for ours, reference in zip(fused_grads, plain_grads, strict=True):
        assert torch.allclose(ours, reference, atol=1e-6)


def test_a_frozen_head_gets_no_gradient_and_a_second_backward_is_refused():
    head = torch.nn.Linear(8, 20, bias=False).requires_grad_(False)
    hidden = torch.randn(3, 8, requires_grad=True)
    logprobs = token_logprobs(hidden, head, torch.tensor([1, 2, 3]))
    logprobs.sum().backward(retain_graph=True)
    assert head.weight.grad is None and hidden.grad is not None
    with pytest.raises(RuntimeError, match="backward runs once"):
        logprobs.sum().backward()


def test_without_gradients_nothing_is_kept():
    head = torch.nn.Linear(8, 20)
    with torch.no_grad():
        logprobs = token_logprobs(torch.randn(3, 8), head, torch.tensor([0, 5, 19]))
    assert logprobs.shape == (3,) and not logprobs.requires_grad
    assert torch.all(logprobs < 0)
