"""`make bench-search`: the search engine at a shop's size (docs/search.md, "Measured").

Documents are generated straight into the index builder (as bench/loader.py writes cases
straight into the table): 100,000 cases of Turkish customer text (subjects and bodies from
support phrases, inflected, some typed without Turkish letters, a reply or a note on some),
in five groups; and 1,000 articles. Measured on this machine:

- build: the documents into a fresh SQLite FTS5 file, then `optimize`; the file's size,
  raw and gzipped (what S3 keeps and a Lambda downloads);
- a cold container: unpacking the gzipped base into /tmp and the first search;
- search latency, p50 and p95 over SEARCH_ROUNDS queries (Turkish, without Turkish letters,
  inflected, with a typo), for an agent who reads every group and one who reads one group;
- a delta of 10 documents applied to a loaded copy (what a reader does for a fresh case);
- the peak resident memory of a process that loads the index and searches (the Lambda
  memory it needs), in a fresh interpreter.

`SEARCH_CASES` (100000), `SEARCH_ROUNDS` (300) change the sizes.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chalicelib.domain.search import DocKind, DocVisibility, SearchDoc, SearchFilter  # noqa: E402
from chalicelib.domain.search_text import parse_query  # noqa: E402
from chalicelib.store.search_sqlite import (  # noqa: E402
    SqliteSearchIndex,
    match_expression,
    sqlite3,
)

GROUPS = ["teslimat", "urun", "finans", "teknik", "iade"]
SUBJECTS = (  # noqa: SIM905 (lines of words read better than a list)
    "Kargom gelmedi|Siparişim nerede|İade talebi|Faturamı alamadım|Ödeme iki kez çekildi|"
    "Ürün kırık geldi|Garanti kapsamında tamir|Telefon ekranı çalışmıyor|Kupon kodu geçersiz|"
    "Adres değişikliği|Teslimat gecikti|Yanlış ürün gönderildi|Para iadesi yapılmadı|"
    "Hesabıma giremiyorum|Şifre sıfırlama|Kargo firması ulaşılamıyor|Eksik parça|"
    "Değişim talebi|Taksit seçenekleri|Fatura adresi yanlış"
).split("|")
WORDS = (  # noqa: SIM905 (lines of words read better than a list)
    "merhaba sipariş siparişim siparişimi kargo kargom kargoya kargodan teslimat teslim "
    "ürün ürünü ürünün iade iadesi iademi fatura faturamı faturayı ödeme ödemem ödemeyi "
    "kredi kartı taksit garanti garantisi servis tamir ekran ekranı batarya şarj kırık "
    "kırığı çalışmıyor bozuk hasarlı paket paketi kutu kutusu eksik parça değişim adres "
    "adresim adresimi telefon telefonum numara numaram hesap hesabım şifre kupon indirim "
    "kampanya gecikme gecikti bekliyorum bekledim günlerdir hâlâ henüz lütfen acil yardım "
    "rica ederim teşekkürler müşteri hizmetleri ulaşamadım aradım cevap dönüş yapılmadı "
    "istiyorum istemiyorum yanlış doğru renk beden numara küçük büyük mağaza şube"
).split()
PLAIN = str.maketrans("çğıöşüÇĞİÖŞÜâ", "cgiosuCGIOSUa")
QUERIES = (  # noqa: SIM905 (lines of words read better than a list)
    "kargom gelmedi|kargo|siparisim nerede|iade|IADE|faturami alamadim|odeme iki kez|"
    "urun kirik|garanti tamir|telefn ekrani|kupon kodu|adres degisikligi|teslimat gecikti|"
    "yanlis urun|para iadesi|hesabima giremiyorum|sifre|kargo firmasi|eksik parca|degisim|"
    "taksit|garnati|batarya sarj|siparişlerim|faturamı|ödemeyi|kırığı|çalışmıyor|"
    "müsteri hizmetleri|bozuk"
).split("|")


#: the rest of a customer's words: product names, places, numbers, everyday words. Real text
#: is Zipfian (a few words everywhere, most words rare): FILLER words are drawn by rank with
#: weight 1/rank, so a support word is in a third to a half of the cases, as "kargo" would be
FILLER = [f"{a}{b}{c}" for a in ("ba", "ke", "mi", "to", "su", "de", "ra", "lo", "ne", "yu")
          for b in ("r", "n", "l", "k", "s", "t", "m", "z", "y", "d") for c in
          ("a", "e", "ı", "i", "o", "ö", "u", "ü", "an", "en", "ir", "ar", "ol", "ek", "um",
           "in", "at", "et", "ul", "ay")]  # fmt: skip
FILLER_WEIGHTS = list(accumulate(1 / (rank + 1) for rank in range(len(FILLER))))
SUPPORT_SHARE = 0.25


def word(rng: random.Random) -> str:
    if rng.random() < SUPPORT_SHARE:
        return rng.choice(WORDS)
    return rng.choices(FILLER, cum_weights=FILLER_WEIGHTS)[0]


def sentence(rng: random.Random, n: int) -> str:
    text = " ".join(word(rng) for _ in range(n)).capitalize() + "."
    return text.translate(PLAIN) if rng.random() < 0.3 else text  # typed without letters


def cases(count: int, seed: int = 17):
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(count):
        subject = rng.choice(SUBJECTS)
        if rng.random() < 0.3:
            subject = subject.translate(PLAIN)
        body = "\n\n".join(sentence(rng, rng.randint(12, 40)) for _ in range(rng.randint(1, 4)))
        yield SearchDoc(
            kind=DocKind.CASE, id=f"c{i:07d}", ref=f"2026-{i:06d}", title=subject, body=body,
            notes=sentence(rng, 15) if rng.random() < 0.2 else "",
            group_id=rng.choice(GROUPS), assignee=f"agent{rng.randint(1, 40)}",
            status=rng.choice(["open", "in_progress", "closed", "closed", "resolved"]),
            version=rng.randint(1, 9), updated_at=start + timedelta(minutes=5 * i),
        )  # fmt: skip


def articles(count: int, seed: int = 18):
    rng = random.Random(seed)
    for i in range(count):
        yield SearchDoc(
            kind=DocKind.ARTICLE, id=f"a{i:05d}", title=rng.choice(SUBJECTS) + " nasıl çözülür",
            body="\n\n".join(sentence(rng, rng.randint(30, 80)) for _ in range(rng.randint(2, 6))),
            visibility=DocVisibility.PUBLIC if rng.random() < 0.7 else DocVisibility.INTERNAL,
            version=1, updated_at=datetime(2026, 6, 1, tzinfo=UTC),
        )  # fmt: skip


def build(path: str, docs, batch: int = 2000) -> tuple[float, int]:
    started = time.perf_counter()
    index = SqliteSearchIndex(path)
    chunk = []
    count = 0
    for doc in docs:
        chunk.append(doc)
        if len(chunk) == batch:
            count += index.upsert(chunk)
            chunk = []
    count += index.upsert(chunk)
    index.optimize()
    index.close()
    return time.perf_counter() - started, count


def gzipped(path: str) -> str:
    out = path + ".gz"
    with open(path, "rb") as src, gzip.open(out, "wb", compresslevel=6) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return out


def latencies(index: SqliteSearchIndex, filt: SearchFilter, rounds: int) -> list[float]:
    times = []
    for i in range(rounds):
        query = parse_query(QUERIES[i % len(QUERIES)])
        started = time.perf_counter()
        index.search(query, filt, 20)
        times.append((time.perf_counter() - started) * 1000)
    return times


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


#: VmHWM (the peak resident set of this process image; ru_maxrss would carry the parent's
#: peak across fork and exec)
MEMORY_PROBE = """
import sys
sys.path.insert(0, {root!r})
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
import app  # what a Lambda container holds anyway
from chalicelib.domain.search import SearchFilter
from chalicelib.domain.search_text import parse_query
from chalicelib.store.search_sqlite import SqliteSearchIndex
imported = peak()
index = SqliteSearchIndex({path!r})
for q in {queries!r}:
    index.search(parse_query(q), SearchFilter(kind="case", notes=True), 20)
print(imported, peak())
"""


def memory(path: str) -> tuple[int, int]:
    code = MEMORY_PROBE.format(root=str(ROOT), path=path, queries=QUERIES)
    env = {**os.environ, "POWERTOOLS_LOG_LEVEL": "WARNING"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True, cwd=ROOT).stdout.split()  # fmt: skip
    return int(out[-2]), int(out[-1])


def run() -> list[str]:
    size = int(os.environ.get("SEARCH_CASES", "100000"))
    rounds = int(os.environ.get("SEARCH_ROUNDS", "300"))
    lines = [f"search engine: SQLite {sqlite3.sqlite_version} FTS5 (pysqlite3), "
             f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"]  # fmt: skip
    work = tempfile.mkdtemp(prefix="destek-bench-search-")
    try:
        for label, docs, filters in (
            (f"{size:,} cases", cases(size), [
                ("an agent reading every group", SearchFilter(kind="case", notes=True)),
                ("an agent reading one group", SearchFilter(
                    kind="case", all_groups=False, groups=frozenset({"urun"}),
                    username="agent7", notes=True)),
            ]),
            ("1,000 articles", articles(1000), [
                ("a customer (public only)", SearchFilter(kind="article", public_only=True)),
            ]),
        ):  # fmt: skip
            path = os.path.join(work, "index.db")
            seconds, count = build(path, docs)
            raw = os.path.getsize(path)
            packed_path = gzipped(path)
            packed = os.path.getsize(packed_path)
            lines.append(f"{label}: built in {seconds:.1f} s ({count / seconds:,.0f} documents/s); "
                         f"file {raw / 1e6:.1f} MB, gzipped {packed / 1e6:.1f} MB")  # fmt: skip
            started = time.perf_counter()
            cold = os.path.join(work, "cold.db")
            with gzip.open(packed_path, "rb") as src, open(cold, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            index = SqliteSearchIndex(cold)
            index.search(parse_query("kargom gelmedi"), filters[0][1], 20)
            lines.append(f"  cold container: unpack the base and first search "
                         f"{(time.perf_counter() - started) * 1000:,.0f} ms")  # fmt: skip
            counting = "SELECT count(*) FROM terms WHERE terms MATCH ?"
            shares = [
                index.db.execute(counting, [match_expression(parse_query(q), True)]).fetchone()[0]
                / count
                for q in QUERIES
            ]
            lines.append(f"  a query matches {statistics.median(shares):.0%} of the documents "
                         f"(median; {max(shares):.0%} at most): BM25 scores each")  # fmt: skip
            for name, filt in filters:
                latencies(index, filt, 20)  # warm
                t = latencies(index, filt, rounds)
                lines.append(f"  search, {name}: p50 {statistics.median(t):.1f} ms, "
                             f"p95 {pct(t, 95):.1f} ms, max {max(t):.1f} ms "
                             f"({rounds} queries)")  # fmt: skip
            if label.endswith("cases"):
                fresh = list(cases(10, seed=99))
                started = time.perf_counter()
                index.upsert(fresh)
                lines.append(f"  a delta of 10 documents applied to a loaded copy "
                             f"{(time.perf_counter() - started) * 1000:.1f} ms")  # fmt: skip
                started = time.perf_counter()  # what the writer does every 32 batches
                compacted = os.path.join(work, "compacted.db")
                shutil.copyfile(cold, compacted)
                merged = SqliteSearchIndex(compacted)
                merged.upsert(list(cases(10, seed=98)))
                merged.optimize()
                merged.close()
                os.remove(gzipped(compacted))
                os.remove(compacted)
                lines.append(f"  a compaction (copy of the base, a delta, optimize, gzip) "
                             f"{time.perf_counter() - started:.1f} s, S3 aside")  # fmt: skip
                imported, peak = memory(cold)
                lines.append(f"  memory: {imported} MB after `import app`, peak {peak} MB "
                             "while loading the index and searching (resident)")  # fmt: skip
            index.close()
            for p in (path, packed_path, cold):
                os.remove(p)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return lines


if __name__ == "__main__":
    result = run()
    print("\n".join(result))
    out = os.environ.get("SEARCH_OUT")
    if out:
        Path(out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
