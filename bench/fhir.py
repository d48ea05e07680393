"""FHIR and CDS Hooks speed: reading charts, writing assessment Bundles, and CDS Hooks calls (issue 13).

All in one process, on one core, measured the same run against floors:
  * read: `read_fhir` on N charts (Bundles of `case_to_resources` of the synthetic registry-like cohort, and of thin
    published cases: the validation set's cases with findings hidden), per chart; floor: `json.loads` of the same
    Bundle text (the least any reader must do);
  * assess from a chart: read + parse + assess, per chart; beside it `myoclass.assess` of the flat case alone;
  * write: `assessment_bundle` per assessment; floor: `json.dumps` of the Bundle;
  * CDS Hooks `patient-view` through the ASGI app (FastAPI TestClient, verification off, prefetch in the request):
    p50 / p99 / max latency over N calls, beside `GET /healthz` through the same client. The specification asks for
    about 500 ms.
Usage: python bench/fhir.py [N] [SEED]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from myoclass import assess, parse_case
from myoclass.io.fhir import case_to_resources, read_fhir
from myoclass.io.fhir.assessment import assessment_bundle
from myoclass.synthetic import synthetic_cases


def _bundle(case: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset",
            "entry": [{"resource": r, "search": {"mode": "match"}} for r in case_to_resources(case)]}


def _published(n: int, seed: int) -> list[dict[str, Any]]:
    """The thin-case benchmark cohort of bench/assess.py (validation-set cases with known findings hidden)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_assess", Path(__file__).with_name("assess.py"))
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    cases: list[dict[str, Any]] = mod.thin_published(n, seed)
    return [parse_case(c).to_flat() for c in cases]


def _per(fn: Any, items: list[Any]) -> float:
    t = time.perf_counter()
    for x in items:
        fn(x)
    return (time.perf_counter() - t) / len(items) * 1e6


def _cohort(name: str, cases: list[dict[str, Any]]) -> None:
    bundles = [_bundle(c) for c in cases]
    texts = [json.dumps(b) for b in bundles]
    readings = [read_fhir(b) for b in bundles]
    assessments = [assess(parse_case(r.case)) for r in readings]
    pairs = [(a, case_to_resources(c)) for a, c in zip(assessments, cases, strict=True)]
    out = [assessment_bundle(a, resources=rs) for a, rs in pairs]
    entries = statistics.mean(len(b["entry"]) for b in bundles)
    floor_read = _per(json.loads, texts)
    read = _per(read_fhir, bundles)
    full = _per(lambda b: assess(parse_case(read_fhir(b).case)), bundles)
    flat = _per(assess, cases)
    write = _per(lambda ar: assessment_bundle(ar[0], resources=ar[1]), pairs)
    floor_write = _per(json.dumps, out)
    print(f"{name}: {len(cases)} charts, {entries:.1f} resources each on average")
    print(f"  read_fhir            {read:8.0f} µs/chart   (floor json.loads of the Bundle text {floor_read:6.0f} µs: "
          f"{read / floor_read:5.1f}×)")
    print(f"  chart → assessment   {full:8.0f} µs/chart   ({1e6 / full:6.0f}/s; the flat case alone {flat:6.0f} µs: reading "
          f"adds {100 * (full - flat) / flat:4.0f} %)")
    print(f"  assessment → Bundle  {write:8.0f} µs/case    (with the chart's resources; floor json.dumps of the "
          f"Bundle {floor_write:6.0f} µs: "
          f"{write / floor_write:5.1f}×)")


def _cds(n: int) -> None:
    from starlette.testclient import TestClient

    from myoclass.web.app import Settings, create_app
    from myoclass.web.cds import CdsSettings

    fixtures = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "cds"
    requests = [json.loads((fixtures / f).read_text(encoding="utf-8")) for f in
                ("patient-view-synthetic-imnm-hmgcr.json", "patient-view-synthetic-imnm-srp-severe.json",
                 "patient-view-synthetic-dm.json", "patient-view-spec-example.json")]
    client = TestClient(create_app(Settings(allowed_hosts=("testserver",)), CdsSettings(jwt_verify=False)))
    url = "/cds-services/myoclass-patient-view"
    for r in requests:
        assert client.post(url, json=r).status_code == 200
    lat, hz = [], []
    for i in range(n):
        t = time.perf_counter()
        client.post(url, json=requests[i % len(requests)])
        lat.append((time.perf_counter() - t) * 1e3)
        t = time.perf_counter()
        client.get("/healthz")
        hz.append((time.perf_counter() - t) * 1e3)
    lat.sort()
    hz.sort()

    def q(xs: list[float], p: float) -> float:
        return xs[min(len(xs) - 1, int(p * len(xs)))]

    print(f"CDS Hooks patient-view (in process, prefetch given, JWT check off), {n} calls:")
    print(f"  p50 {q(lat, 0.5):6.1f} ms   p99 {q(lat, 0.99):6.1f} ms   max {lat[-1]:6.1f} ms   (target about 500 ms)")
    print(f"  GET /healthz through the same client: p50 {q(hz, 0.5):5.1f} ms, p99 {q(hz, 0.99):5.1f} ms")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    _cohort("registry-like (synthetic)", list(synthetic_cases(n, seed=seed)))
    _cohort("thin published cases (findings hidden)", _published(n, seed))
    _cds(min(n, 200))


if __name__ == "__main__":
    main()
