//! A synthetic source tree for the benchmark and the scaling tests: C and Rust files shaped like
//! real network code (structs, loops, `switch`/`match`, sockets, forks, helpers called across
//! files), a few of them leaking a connection across a fork. Deterministic for a given seed.
//! Also the language server's: a file of many small functions (`functions`) and random
//! one-line edits of a file (`edits`).

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use crate::ir::Language;

mod edits;
mod functions;

pub use edits::one_line_edit;
pub use functions::many_functions;

/// How big a corpus to write.
#[derive(Debug, Clone, Copy)]
pub struct CorpusSpec {
    pub files: usize,
    pub seed: u64,
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct CorpusStats {
    pub files: usize,
    pub lines: usize,
    pub bytes: usize,
}

/// Writes the corpus under `root` (half C, half Rust, a hundred files per folder).
pub fn write_corpus(root: &Path, spec: CorpusSpec) -> io::Result<CorpusStats> {
    let mut stats = CorpusStats::default();
    for index in 0..spec.files {
        let (path, text) = corpus_file(spec, index);
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &text)?;
        stats.files += 1;
        stats.lines += text.lines().count();
        stats.bytes += text.len();
    }
    Ok(stats)
}

/// The relative path and text of one file of the corpus.
pub fn corpus_file(spec: CorpusSpec, index: usize) -> (PathBuf, String) {
    let mut rng = Rng::new(spec.seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let functions = function_count(&mut rng);
    // Every fortieth file leaks a connection into a forked worker.
    let leaks = index % 40 == 7;
    let folder = format!("pkg{:03}", index / 100);
    if index.is_multiple_of(2) {
        let text = c_file(&mut rng, index, functions, leaks);
        (Path::new(&folder).join(format!("mod{index:05}.c")), text)
    } else {
        let text = rust_file(&mut rng, index, functions, leaks);
        (Path::new(&folder).join(format!("m{index:05}.rs")), text)
    }
}

/// One file of at least `lines` lines in `language`, for tests of how the pipeline scales
/// with a file's size. Its cross-file calls land in its own functions.
pub fn large_file(language: Language, seed: u64, lines: usize) -> String {
    let mut functions = lines / 16 + 1;
    loop {
        let mut rng = Rng::new(seed);
        let text = match language {
            Language::C => c_file(&mut rng, 0, functions, true),
            Language::Rust => rust_file(&mut rng, 0, functions, true),
        };
        if text.lines().count() >= lines {
            return text;
        }
        functions += functions / 4 + 1;
    }
}

/// A function per 9 to 10 lines on average: most files are a few hundred lines, a few are
/// thousands.
fn function_count(rng: &mut Rng) -> usize {
    match rng.below(100) {
        0 => 150 + rng.below(150),
        1..=9 => 40 + rng.below(40),
        _ => 3 + rng.below(14),
    }
}

/// A small deterministic generator (xorshift64*); the corpus must not change between runs.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn c_file(rng: &mut Rng, index: usize, functions: usize, leaks: bool) -> String {
    let mut out = String::new();
    out.push_str(C_PRELUDE);
    let _ = writeln!(out, "\nstruct conf_{index} {{\n    int port;\n    int retries;\n    char name[32];\n    int fd;\n}};\n");
    let _ = writeln!(out, "static int counter_{index};\n");
    for number in 0..functions {
        let name = format!("mod{index}_f{number}");
        let template = if leaks && number == 0 { 99 } else { rng.below(9) };
        match template {
            0 => c_arithmetic(&mut out, &name, rng),
            1 => c_switch(&mut out, &name, rng),
            2 => c_struct_init(&mut out, &name, index),
            3 => c_client(&mut out, &name, rng),
            4 => c_fork_exec(&mut out, &name),
            5 => c_forked_worker(&mut out, &name, index),
            6 => c_cleanup_goto(&mut out, &name, index),
            7 => c_cross_file(&mut out, &name, index, rng),
            8 => c_server_loop(&mut out, &name),
            _ => c_leak(&mut out, &name),
        }
    }
    out
}

const C_PRELUDE: &str = "#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
";

fn c_arithmetic(out: &mut String, name: &str, rng: &mut Rng) {
    let modulus = 2 + rng.below(7);
    let limit = 100 + rng.below(5000);
    let _ = write!(
        out,
        "int {name}(const int *values, int n)
{{
    int total = 0;
    for (int i = 0; i < n; i++) {{
        if (values[i] % {modulus} == 0) {{
            total += values[i] * 2;
        }} else if (values[i] < 0) {{
            continue;
        }} else {{
            total -= 1;
        }}
    }}
    while (total > {limit}) {{
        total /= 2;
    }}
    return total;
}}

"
    );
}

fn c_switch(out: &mut String, name: &str, rng: &mut Rng) {
    let _ = writeln!(out, "const char *{name}(int code)\n{{\n    switch (code) {{");
    for case in 0..3 + rng.below(8) {
        let _ = writeln!(out, "    case {case}:\n        return \"state {case}\";");
    }
    let _ = write!(
        out,
        "    case -1:
        fprintf(stderr, \"bad code %d\\n\", code);
        break;
    default:
        break;
    }}
    return \"unknown\";
}}

"
    );
}

fn c_struct_init(out: &mut String, name: &str, index: usize) {
    let _ = write!(
        out,
        "void {name}(struct conf_{index} *conf, const char *label)
{{
    memset(conf, 0, sizeof(*conf));
    conf->port = 8000 + {index} % 1000;
    conf->retries = 3;
    conf->fd = -1;
    snprintf(conf->name, sizeof(conf->name), \"%s-%d\", label, conf->port);
    counter_{index}++;
}}

"
    );
}

fn c_client(out: &mut String, name: &str, rng: &mut Rng) {
    let port = 1024 + rng.below(60000);
    let _ = write!(
        out,
        "int {name}(const char *host)
{{
    struct sockaddr_in addr;
    char reply[128];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {{
        perror(\"socket\");
        return -1;
    }}
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons({port});
    inet_pton(AF_INET, host, &addr.sin_addr);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {{
        close(fd);
        return -1;
    }}
    if (write(fd, \"PING\\r\\n\", 6) != 6) {{
        close(fd);
        return -1;
    }}
    ssize_t got = read(fd, reply, sizeof(reply) - 1);
    close(fd);
    return got > 0 ? 0 : -1;
}}

"
    );
}

fn c_fork_exec(out: &mut String, name: &str) {
    let _ = write!(
        out,
        "int {name}(const char *program)
{{
    int status = 0;
    pid_t pid = fork();
    if (pid < 0) {{
        perror(\"fork\");
        return -1;
    }}
    if (pid == 0) {{
        execl(program, program, (char *)NULL);
        _exit(127);
    }}
    if (waitpid(pid, &status, 0) < 0) {{
        return -1;
    }}
    return WEXITSTATUS(status);
}}

"
    );
}

fn c_forked_worker(out: &mut String, name: &str, index: usize) {
    let _ = write!(
        out,
        "int {name}(struct conf_{index} *conf, int jobs)
{{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {{
        return -1;
    }}
    conf->fd = fd;
    for (int job = 0; job < jobs; job++) {{
        pid_t pid = fork();
        if (pid == 0) {{
            close(fd);
            while (job-- > 0) {{
                sleep(1);
            }}
            exit(0);
        }}
    }}
    close(fd);
    return 0;
}}

"
    );
}

fn c_cleanup_goto(out: &mut String, name: &str, index: usize) {
    let _ = write!(
        out,
        "int {name}(const char *path)
{{
    int rc = -1;
    char *buffer = malloc(4096);
    FILE *file = NULL;
    if (buffer == NULL) {{
        goto out;
    }}
    file = fopen(path, \"r\");
    if (file == NULL) {{
        goto out;
    }}
    while (fgets(buffer, 4096, file) != NULL) {{
        if (buffer[0] == '#') {{
            continue;
        }}
        counter_{index} += (int)strlen(buffer);
    }}
    rc = 0;
out:
    if (file != NULL) {{
        fclose(file);
    }}
    free(buffer);
    return rc;
}}

"
    );
}

fn c_cross_file(out: &mut String, name: &str, index: usize, rng: &mut Rng) {
    // Even files are C: call a function of an earlier C file (maybe not a defined one).
    let other = index.saturating_sub(2 * (1 + rng.below(5)));
    let callee = format!("mod{other}_f{}", rng.below(4));
    let _ = write!(
        out,
        "int {name}(int *values, int n)
{{
    int sum = 0;
    if (n <= 0) {{
        return 0;
    }}
    sum = {callee}(values, n);
    if (sum < 0) {{
        fprintf(stderr, \"failed: %d\\n\", sum);
    }}
    return sum + counter_{index};
}}

"
    );
}

fn c_server_loop(out: &mut String, name: &str) {
    let _ = write!(
        out,
        "void {name}(int listener)
{{
    for (;;) {{
        int client = accept(listener, NULL, NULL);
        if (client < 0) {{
            continue;
        }}
        pid_t pid = fork();
        if (pid == 0) {{
            close(listener);
            char line[256];
            ssize_t n = read(client, line, sizeof(line));
            if (n > 0) {{
                write(client, line, (size_t)n);
            }}
            close(client);
            _exit(0);
        }}
        close(client);
    }}
}}

"
    );
}

fn c_leak(out: &mut String, name: &str) {
    let _ = write!(
        out,
        "void {name}(void)
{{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    pid_t pid = fork();
    if (pid == 0) {{
        for (;;) {{
            sleep(10);
        }}
    }}
    write(fd, \"x\", 1);
    close(fd);
}}

"
    );
}

fn rust_file(rng: &mut Rng, index: usize, functions: usize, leaks: bool) -> String {
    let mut out = String::new();
    out.push_str(RUST_PRELUDE);
    let _ = write!(
        out,
        "
#[derive(Debug, Clone, PartialEq)]
pub enum Command{index} {{
    Get(String),
    Set(String, u32),
    Delete {{ key: String }},
    Quit,
}}

pub struct Worker{index} {{
    pub name: String,
    pub port: u16,
    pub stream: Option<TcpStream>,
    pub seen: HashMap<String, u32>,
}}

"
    );
    for number in 0..functions {
        let name = format!("f{number}");
        let template = if leaks && number == 0 { 99 } else { rng.below(8) };
        match template {
            0 => rust_iterators(&mut out, &name, rng),
            1 => rust_match(&mut out, &name, index),
            2 => rust_impl(&mut out, &name, index),
            3 => rust_client(&mut out, &name, rng),
            4 => rust_fork_exec(&mut out, &name),
            5 => rust_cross_file(&mut out, &name, index, rng),
            6 => rust_server(&mut out, &name),
            7 => rust_loop_labels(&mut out, &name),
            _ => rust_leak(&mut out, &name),
        }
    }
    out
}

const RUST_PRELUDE: &str = "use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;

use nix::sys::wait::waitpid;
use nix::unistd::{fork, ForkResult};
";

fn rust_iterators(out: &mut String, name: &str, rng: &mut Rng) {
    let factor = 2 + rng.below(9);
    let _ = write!(
        out,
        "pub fn {name}(values: &[i64]) -> i64 {{
    let mut total: i64 = values
        .iter()
        .filter(|value| **value % {factor} == 0)
        .map(|value| value * 2)
        .sum();
    for (position, value) in values.iter().enumerate() {{
        if position % 2 == 0 && *value > 0 {{
            total += value;
        }} else {{
            total -= 1;
        }}
    }}
    while total > 10_000 {{
        total /= 2;
    }}
    total
}}

"
    );
}

fn rust_match(out: &mut String, name: &str, index: usize) {
    let _ = write!(
        out,
        "pub fn {name}(command: &Command{index}, store: &mut HashMap<String, u32>) -> Option<u32> {{
    match command {{
        Command{index}::Get(key) => store.get(key).copied(),
        Command{index}::Set(key, value) if *value > 0 => store.insert(key.clone(), *value),
        Command{index}::Set(key, _) => store.remove(key),
        Command{index}::Delete {{ key }} => {{
            let old = store.remove(key);
            if old.is_none() {{
                eprintln!(\"no such key: {{}}\", key);
            }}
            old
        }}
        Command{index}::Quit => None,
    }}
}}

"
    );
}

fn rust_impl(out: &mut String, name: &str, index: usize) {
    let _ = write!(
        out,
        "impl Worker{index} {{
    pub fn new_{name}(name: &str, port: u16) -> Self {{
        Worker{index} {{ name: name.to_string(), port, stream: None, seen: HashMap::new() }}
    }}

    pub fn note_{name}(&mut self, key: &str) -> u32 {{
        let count = self.seen.entry(key.to_string()).or_insert(0);
        *count += 1;
        if *count > 100 {{
            self.seen.clear();
            return 0;
        }}
        *count
    }}
}}

"
    );
}

fn rust_client(out: &mut String, name: &str, rng: &mut Rng) {
    let port = 1024 + rng.below(60000);
    let _ = write!(
        out,
        "pub fn {name}(host: &str) -> io::Result<String> {{
    let mut stream = TcpStream::connect((host, {port}))?;
    stream.write_all(b\"PING\\r\\n\")?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply)?;
    if reply.is_empty() {{
        return Err(io::Error::new(io::ErrorKind::Other, \"empty reply\"));
    }}
    Ok(reply)
}}

"
    );
}

fn rust_fork_exec(out: &mut String, name: &str) {
    let _ = write!(
        out,
        "pub fn {name}(program: &str) -> i32 {{
    match unsafe {{ fork() }} {{
        Ok(ForkResult::Child) => {{
            let _ = Command::new(program).status();
            std::process::exit(0);
        }}
        Ok(ForkResult::Parent {{ child }}) => {{
            let _ = waitpid(child, None);
            0
        }}
        Err(_) => -1,
    }}
}}

"
    );
}

fn rust_cross_file(out: &mut String, name: &str, index: usize, rng: &mut Rng) {
    let other = index.saturating_sub(2 * (1 + rng.below(5)));
    let callee = format!("crate::m{other:05}::f{}", rng.below(4));
    let _ = write!(
        out,
        "pub fn {name}(values: &[i64]) -> i64 {{
    if values.is_empty() {{
        return 0;
    }}
    let result = {callee}(values);
    if result < 0 {{
        eprintln!(\"failed: {{}}\", result);
    }}
    result
}}

"
    );
}

fn rust_server(out: &mut String, name: &str) {
    let _ = write!(
        out,
        "pub fn {name}(listener: TcpListener) -> io::Result<()> {{
    for stream in listener.incoming() {{
        let mut stream = match stream {{
            Ok(stream) => stream,
            Err(_) => continue,
        }};
        let mut buffer = [0u8; 512];
        let read = stream.read(&mut buffer)?;
        stream.write_all(&buffer[..read])?;
    }}
    Ok(())
}}

"
    );
}

fn rust_loop_labels(out: &mut String, name: &str) {
    let _ = write!(
        out,
        "pub fn {name}(grid: &[Vec<u8>]) -> Option<(usize, usize)> {{
    let mut found = None;
    'rows: for (row, cells) in grid.iter().enumerate() {{
        for (column, cell) in cells.iter().enumerate() {{
            if *cell == 0 {{
                continue;
            }}
            if *cell == 255 {{
                found = Some((row, column));
                break 'rows;
            }}
        }}
    }}
    found
}}

"
    );
}

fn rust_leak(out: &mut String, name: &str) {
    let _ = write!(
        out,
        "pub fn {name}() {{
    let stream = TcpStream::connect(\"127.0.0.1:6379\").unwrap();
    match unsafe {{ fork() }} {{
        Ok(ForkResult::Child) => loop {{
            std::thread::sleep(std::time::Duration::from_secs(1));
        }},
        Ok(ForkResult::Parent {{ .. }}) => drop(stream),
        Err(_) => {{}}
    }}
}}

"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_files() {
        let spec = CorpusSpec { files: 10, seed: 7 };
        assert_eq!(corpus_file(spec, 3), corpus_file(spec, 3));
        let other = CorpusSpec { seed: 8, ..spec };
        assert_ne!(corpus_file(spec, 3).1, corpus_file(other, 3).1);
    }
}
