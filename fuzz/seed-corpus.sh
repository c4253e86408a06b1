#!/usr/bin/env bash
# Seeds each fuzz target's corpus with the fixtures (the corpora themselves are not committed).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/rust_frontend corpus/c_frontend corpus/lint_source corpus/add_allow corpus/fix
for file in ../fixtures/rust/*.rs; do
  cp "$file" corpus/rust_frontend/
  { printf 'r'; cat "$file"; } | tee "corpus/add_allow/$(basename "$file")" "corpus/fix/$(basename "$file")" > "corpus/lint_source/$(basename "$file")"
done
for file in ../fixtures/c/*.c; do
  cp "$file" corpus/c_frontend/
  { printf 'c'; cat "$file"; } | tee "corpus/add_allow/$(basename "$file")" "corpus/fix/$(basename "$file")" > "corpus/lint_source/$(basename "$file")"
done
echo "seeded from $(ls ../fixtures/rust/*.rs | wc -l) Rust and $(ls ../fixtures/c/*.c | wc -l) C fixtures"
