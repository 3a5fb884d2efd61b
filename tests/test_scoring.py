"""Answer scoring: the shared-prompt path equals scoring each full sequence."""

import torch
import torch.nn.functional as F
from transformers import AutoTokenizer, LlamaForCausalLM

from unlearnflow.data.encoding import answer_ids, encode_qa, prompt_ids
from unlearnflow.prompt_pass import answers_after, run_prompts
from unlearnflow.scoring import IGNORE, answer_token_logprobs
from unlearnflow.train import collate

GROUPS = [
    (
        "Where was Ada Berg born?",
        ["Ada was born in Lund.", "In Oslo.", "Ada Berg was born in Bergen, Norway, in 1960."],
    ),
    (
        "What does the long-named Maximilian von Hohenzollern do for a living?",
        ["He is a baker.", "A judge."],
    ),
    ("Who?", ["Nobody at all, as far as anyone knows."]),
]


def full_sequence_logits(model, examples):
    """Logits at every answer position, each sequence run alone without padding."""
    rows = []
    for example in examples:
        logits = model(input_ids=torch.tensor([example["input_ids"]])).logits[0, :-1]
        rows.append(logits[torch.tensor(example["labels"][1:]) != IGNORE])
    return torch.cat(rows)


def test_shared_prompt_scoring_equals_full_sequences(tiny_model):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    model = LlamaForCausalLM.from_pretrained(tiny_model).eval()
    examples = [encode_qa(tokenizer, q, a, "") for q, answers in GROUPS for a in answers]
    prompts = [prompt_ids(tokenizer, q, "") for q, _ in GROUPS]
    owner = [g for g, (_, answers) in enumerate(GROUPS) for _ in answers]
    flat = [answer_ids(tokenizer, a) for _, answers in GROUPS for a in answers]
    with torch.no_grad():
        prompt_pass = run_prompts(model.get_decoder(), prompts, tokenizer.pad_token_id)
        shared = answers_after(model, prompt_pass, owner, flat, tokenizer.pad_token_id)
        full = full_sequence_logits(model, examples)
    targets = torch.cat([torch.tensor(e["labels"][1:]) for e in examples])
    assert torch.equal(shared[1], targets[targets != IGNORE])
    assert torch.equal(
        shared[2],
        torch.arange(len(examples)).repeat_interleave(
            torch.tensor([sum(x != IGNORE for x in e["labels"]) for e in examples])
        ),
    )
    assert torch.allclose(torch.log_softmax(shared[0], -1), torch.log_softmax(full, -1), atol=1e-4)


def test_padded_batches_equal_full_sequences(tiny_model):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    model = LlamaForCausalLM.from_pretrained(tiny_model).eval()
    examples = [encode_qa(tokenizer, q, a, "") for q, answers in GROUPS for a in answers]
    batch = collate(examples, tokenizer.pad_token_id)
    assert batch["input_ids"].shape[1] == max(len(e["input_ids"]) for e in examples)
    targets = torch.cat([torch.tensor(e["labels"][1:]) for e in examples])
    with torch.no_grad():
        logprobs, rows = answer_token_logprobs(model, batch)
        full = full_sequence_logits(model, examples)
    expected = torch.log_softmax(full, -1).gather(-1, targets[targets != IGNORE][:, None])[:, 0]
    assert torch.allclose(logprobs, expected, atol=1e-4)
    owners = [row for row, e in enumerate(examples) for t in e["labels"][1:] if t != IGNORE]
    assert torch.equal(rows, torch.tensor(owners))


def test_padded_batches_give_the_gradients_of_full_sequences(tiny_model):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    model = LlamaForCausalLM.from_pretrained(tiny_model)
    examples = [encode_qa(tokenizer, q, a, "") for q, answers in GROUPS for a in answers]
    targets = torch.cat([torch.tensor(e["labels"][1:]) for e in examples])

    def gradients(loss):
        model.zero_grad()
        loss.backward()
        return [p.grad.clone() for p in model.parameters()]

    batch = collate(examples, tokenizer.pad_token_id)
    padded = gradients(-answer_token_logprobs(model, batch)[0].mean())
    full = gradients(
        F.cross_entropy(full_sequence_logits(model, examples), targets[targets != IGNORE])
    )
    for ours, reference in zip(padded, full, strict=True):
        assert torch.allclose(ours, reference, atol=1e-5)


def test_answered_questions_equal_full_sequences_in_any_batching(tiny_model):
    from unlearnflow.answering import Question, answer_questions

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    model = LlamaForCausalLM.from_pretrained(tiny_model).eval()
    questions = [  # the first answer twice; Min-K%++ moments and generation on some only
        Question(q, (answers[0], *answers), generate=n != 1, moments=n != 1)
        for n, (q, answers) in enumerate(GROUPS)
    ] + [Question("Anything else?", generate=True)]
    answered = answer_questions(model, tokenizer, questions, "", batch_size=3, max_new_tokens=6)
    with torch.no_grad():
        for question, result in zip(questions, answered, strict=True):
            assert len(result.scores) == len(question.answers)
            for variant, answer in enumerate(question.answers):
                score = result.scores[variant]
                example = encode_qa(tokenizer, question.text, answer, "")
                logp = torch.log_softmax(full_sequence_logits(model, [example]), -1)
                targets = torch.tensor([t for t in example["labels"][1:] if t != IGNORE])
                expected = logp.gather(-1, targets[:, None])[:, 0]
                assert torch.allclose(torch.from_numpy(score.logprobs), expected, atol=1e-4)
                assert score.hits.tolist() == (logp.argmax(-1) == targets).tolist()
                if variant == 0 and question.moments:
                    mu = (logp.exp() * logp).sum(-1)
                    assert torch.allclose(torch.from_numpy(score.mu), mu, atol=1e-4)
                elif variant == 0:
                    assert score.mu is None and score.sigma is None
            if question.answers:
                assert result.scores[0] is result.scores[1]
            if question.generate:
                prompt = torch.tensor([prompt_ids(tokenizer, question.text, "")])
                alone = model.generate(
                    prompt,
                    attention_mask=torch.ones_like(prompt),
                    max_new_tokens=6,
                    do_sample=False,
                    pad_token_id=tokenizer.pad_token_id,
                )[0, prompt.shape[1] :]
                expected = tokenizer.decode(alone, skip_special_tokens=True).strip()
                assert result.generation == expected
            else:
                assert result.generation is None


def test_a_bfloat16_model_answers_as_its_float32_weights_do(tiny_model):
    """model.precision bfloat16: scores come back in float32, close to those of the
    float32 model (bf16 keeps ~3 significant digits)."""
    from unlearnflow.answering import Question, answer_questions
    from unlearnflow.models import load_stack

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    questions = [Question(q, answers, generate=True, moments=True) for q, answers in GROUPS]
    runs = {
        precision: answer_questions(
            load_stack(tiny_model, precision=precision).eval(),
            tokenizer,
            questions,
            "",
            batch_size=4,
            max_new_tokens=4,
        )
        for precision in ("float32", "bfloat16")
    }
    for full, half in zip(runs["float32"], runs["bfloat16"], strict=True):
        assert isinstance(half.generation, str)
        assert half.scores[0].mu is not None and half.scores[0].sigma is not None
        for a, b in zip(full.scores, half.scores, strict=True):
            assert b.logprobs.dtype == a.logprobs.dtype
            assert abs(a.loss - b.loss) < 0.05 * max(1.0, a.loss)
