#!/usr/bin/env bash
# Seeds each fuzz target's corpus with the fixtures (the corpora themselves are not committed).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/rust_frontend corpus/c_frontend corpus/lint_source
for file in ../fixtures/rust/*.rs; do
  cp "$file" corpus/rust_frontend/
  { printf 'r'; cat "$file"; } > "corpus/lint_source/$(basename "$file")"
done
for file in ../fixtures/c/*.c; do
  cp "$file" corpus/c_frontend/
  { printf 'c'; cat "$file"; } > "corpus/lint_source/$(basename "$file")"
done
echo "seeded: $(ls corpus/rust_frontend | wc -l) Rust, $(ls corpus/c_frontend | wc -l) C files"
