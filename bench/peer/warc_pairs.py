"""The peer of bench/warc: WARC(.gz) -> (image URL, alt) pairs in one Python process.

Python's gzip (zlib in C) reads the members one after another, a small WARC
record reader splits the records, lxml.html (libxml2) parses each HTML
response and the pairs are img src (srcset, data-src as wit reads them) with
a non-empty alt, resolved against <base href> or WARC-Target-URI.
Prints one JSON line: records, pages, pairs, cpu_secs, wall_secs, max_rss_kib.

Run: /usr/bin/python3 bench/peer/warc_pairs.py FILE.warc.gz
"""
import gzip
import json
import re
import resource
import sys
import time
from urllib.parse import urljoin

import lxml.html

SPACE = re.compile(r"\s+")


def records(stream):
    """(WARC headers, block bytes) for each record."""
    while True:
        line = stream.readline()
        if not line:
            return
        if not line.strip():
            continue
        if not line.startswith(b"WARC/"):
            raise ValueError(f"not a WARC record: {line[:40]!r}")
        headers = {}
        for line in iter(stream.readline, b"\r\n"):
            if not line:
                return
            name, _, value = line.decode("utf-8", "replace").partition(":")
            headers[name.strip().lower()] = value.strip()
        yield headers, stream.read(int(headers.get("content-length", "0")))


def html_payload(block):
    """The body of an HTTP response whose status is 2xx and whose type is HTML, else None."""
    head, _, body = block.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = lines[0].split(b" ")
    if len(status) < 2 or not status[1].startswith(b"2"):
        return None
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-type":
            kind = value.split(b";")[0].strip().lower()
            return body if kind in (b"text/html", b"application/xhtml+xml", b"") else None
    return body


def largest(srcset):
    best, size = None, -1.0
    for part in re.split(r",\s+", srcset):
        bits = part.strip().split()
        if not bits:
            continue
        descriptor = bits[1] if len(bits) > 1 else "1x"
        try:
            value = float(descriptor[:-1]) * (1 if descriptor.endswith("w") else 10000)
        except ValueError:
            value = 0
        if value > size:
            best, size = bits[0], value
    return best


def page_pairs(body, url):
    doc = lxml.html.fromstring(body)
    base = doc.find(".//base[@href]")
    base_url = urljoin(url, base.get("href")) if base is not None else url
    pairs = []
    for img in doc.iter("img"):
        alt = SPACE.sub(" ", img.get("alt") or "").strip()
        if not alt or (img.get("width") == "1" and img.get("height") == "1"):
            continue
        srcset = img.get("srcset") or img.get("data-srcset")
        for candidate in (largest(srcset) if srcset else None, img.get("data-src"), img.get("data-lazy-src"), img.get("src")):
            if candidate and not candidate.startswith("data:"):
                pairs.append((urljoin(base_url, candidate.strip()), alt))
                break
    return pairs


def main(path):
    started = time.monotonic()
    counts = {"records": 0, "pages": 0, "pairs": 0}
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as stream:
        for headers, block in records(stream):
            counts["records"] += 1
            if headers.get("warc-type") != "response":
                continue
            body = html_payload(block)
            if body is None or not body.strip():
                continue
            counts["pages"] += 1
            counts["pairs"] += len(page_pairs(body, headers["warc-target-uri"]))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    counts.update(cpu_secs=usage.ru_utime + usage.ru_stime, wall_secs=time.monotonic() - started, max_rss_kib=usage.ru_maxrss)
    print(json.dumps(counts))


if __name__ == "__main__":
    main(sys.argv[1])
