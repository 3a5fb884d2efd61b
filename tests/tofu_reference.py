"""TOFU's own aggregation, transcribed from locuslab/tofu aggregate_eval_stat.py (MIT).

Kept as close to the original as possible: it is the independent reference our
metrics are tested against, not code the package uses.
"""

import numpy as np
from scipy.stats import hmean, ks_2samp


def get_forget_quality(unlearn_result, retain_result):
    unlearn_forget_result = unlearn_result["eval_log_forget.json"]
    retain_forget_result = retain_result["eval_log_forget.json"]

    unlearn_paraphrase_np_values = np.array(
        list(unlearn_forget_result["avg_paraphrased_loss"].values())
    )
    unlearn_perturbed_np_values = np.array(
        list(unlearn_forget_result["average_perturb_loss"].values())
    )
    unlearn_perturbed_np_values = unlearn_perturbed_np_values.mean(axis=-1)

    retain_paraphrase_np_values = np.array(
        list(retain_forget_result["avg_paraphrased_loss"].values())
    )
    retain_perturbed_np_values = np.array(
        list(retain_forget_result["average_perturb_loss"].values())
    )
    retain_perturbed_np_values = retain_perturbed_np_values.mean(axis=-1)

    unlearn_truth_ratio = np.exp(unlearn_perturbed_np_values - unlearn_paraphrase_np_values)
    retain_truth_ratio = np.exp(retain_perturbed_np_values - retain_paraphrase_np_values)

    test_res = ks_2samp(unlearn_truth_ratio, retain_truth_ratio)
    return {
        "Forget Quality": test_res.pvalue,
        "KS Test PVal Forget": test_res.pvalue,
        "KS Test Forget": test_res.statistic,
    }


def get_model_utility(eval_result_dict):
    eval_task_dict = {
        "eval_real_author_wo_options.json": "Real Authors",
        "eval_real_world_wo_options.json": "Real World",
        "eval_log.json": "Retain",
        "eval_log_forget.json": "Forget",
    }
    eval_tasks = list(eval_task_dict.keys())
    metrics = ["ROUGE", "Prob.", "Truth Ratio"]

    output_result = {}
    for eval_task in eval_tasks:
        for metric in metrics:
            output_result[eval_task_dict[eval_task] + " " + metric] = []

    # k is different files
    for k, _v in eval_result_dict.items():
        # getting Probability
        if "eval_log" in k:
            gt_probs = np.exp(-1 * np.array(list(eval_result_dict[k]["avg_gt_loss"].values())))
            avg_gt_prob = np.mean(gt_probs)
        else:
            avg_true_prob = np.exp(-1 * np.array(list(eval_result_dict[k]["avg_gt_loss"].values())))
            avg_false_prob = np.exp(
                -1 * np.array(list(eval_result_dict[k]["average_perturb_loss"].values()))
            )
            avg_all_prob = np.concatenate(
                [np.expand_dims(avg_true_prob, axis=-1), avg_false_prob], axis=1
            ).sum(-1)
            avg_gt_prob = np.mean(avg_true_prob / avg_all_prob)
        output_result[f"{eval_task_dict[k]} Prob."] = avg_gt_prob

        # getting ROUGE
        avg_rouge = np.array(list(eval_result_dict[k]["rougeL_recall"].values())).mean()
        output_result[f"{eval_task_dict[k]} ROUGE"] = avg_rouge

        # getting Truth Ratio
        avg_paraphrase_np_values = np.array(
            list(eval_result_dict[k]["avg_paraphrased_loss"].values())
        )

        avg_perturbed_np_values = np.array(
            list(eval_result_dict[k]["average_perturb_loss"].values())
        )
        avg_perturbed_np_values = avg_perturbed_np_values.mean(axis=-1)

        curr_stat_1 = np.exp(avg_perturbed_np_values - avg_paraphrase_np_values)
        if "forget" in k:
            paraphrased_perturb_ratio = np.mean(np.minimum(curr_stat_1, 1 / curr_stat_1))
        else:
            paraphrased_perturb_ratio = np.mean(np.maximum(0, 1 - 1 / curr_stat_1))
        output_result[f"{eval_task_dict[k]} Truth Ratio"] = paraphrased_perturb_ratio

    model_utility_cands = []
    for k, v in output_result.items():
        if "Forget" not in k:
            model_utility_cands.append(v)
    output_result["Model Utility"] = hmean(model_utility_cands)
    return output_result
