import pytest

from unlearnflow.hardware import cpu_flags, resolve_precision

AVX2 = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu\n"
ZEN4 = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu avx2 avx512f avx512_bf16\n"
SAPPHIRE_RAPIDS = "processor\t: 0\nflags\t\t: avx2 avx512f amx_bf16 amx_tile\n"


@pytest.mark.parametrize(
    ("cpuinfo", "expected"),
    [(AVX2, "float32"), (ZEN4, "bfloat16"), (SAPPHIRE_RAPIDS, "bfloat16")],
)
def test_auto_precision_follows_the_cpus_bf16_instructions(tmp_path, cpuinfo, expected):
    path = tmp_path / "cpuinfo"
    path.write_text(cpuinfo)
    assert resolve_precision("auto", path) == expected
    assert resolve_precision("float32", path) == "float32"  # an explicit choice stays


def test_flags_come_from_the_first_processor_and_a_missing_file_gives_none(tmp_path):
    path = tmp_path / "cpuinfo"
    path.write_text(AVX2)
    assert cpu_flags(path) == {"fpu", "sse2", "avx", "avx2", "fma"}
    assert cpu_flags(tmp_path / "absent") == set()
    assert resolve_precision("auto", tmp_path / "absent") == "float32"
