//! The file the language server's benchmark edits: thousands of lines of ordinary functions,
//! one in ten of which connects and forks (its child loops holding the connection: a finding
//! with fixes).

use crate::ir::Language;

/// A file of at least `lines` lines in `language`.
pub fn many_functions(language: Language, lines: usize) -> String {
    let mut text = String::new();
    let mut n = 0;
    while text.lines().count() < lines {
        text.push_str(&match (language, n % 10) {
            (Language::C, 0) => c_forker(n),
            (Language::C, _) => c_plain(n),
            (Language::Rust, 0) => rust_forker(n),
            (Language::Rust, _) => rust_plain(n),
        });
        n += 1;
    }
    text
}

fn c_plain(n: usize) -> String {
    format!(
        "int work_{n}(int count, const char *name)\n{{\n    int pad = 0;\n    int total = 0;\n    for (int i = 0; i < count; i++) {{\n        if (name[i] == 'x')\n            total += i;\n        else\n            total -= 1;\n    }}\n    if (total > 10) {{\n        printf(\"%s %d\\n\", name, total);\n    }}\n    return total + pad;\n}}\n\n"
    )
}

fn c_forker(n: usize) -> String {
    format!(
        "int serve_{n}(void)\n{{\n    int pad = 0;\n    int fd = socket(AF_INET, SOCK_STREAM, 0);\n    if (fd < 0)\n        return -1;\n    pid_t pid = fork();\n    if (pid == 0) {{\n        for (;;) {{\n            sleep(1);\n        }}\n    }}\n    close(fd);\n    return pad;\n}}\n\n"
    )
}

fn rust_plain(n: usize) -> String {
    format!(
        "fn work_{n}(count: usize, name: &str) -> usize {{\n    let pad = 0;\n    let mut total = 0;\n    for (i, c) in name.chars().enumerate().take(count) {{\n        if c == 'x' {{\n            total += i;\n        }} else {{\n            total = total.saturating_sub(1);\n        }}\n    }}\n    if total > 10 {{\n        println!(\"{{name}} {{total}}\");\n    }}\n    total + pad\n}}\n\n"
    )
}

fn rust_forker(n: usize) -> String {
    format!(
        "fn serve_{n}() -> std::io::Result<()> {{\n    let pad = 0;\n    let stream = std::net::TcpStream::connect(\"127.0.0.1:80\")?;\n    match unsafe {{ nix::unistd::fork() }} {{\n        Ok(nix::unistd::ForkResult::Child) => loop {{\n            std::thread::sleep(std::time::Duration::from_secs(pad));\n        }},\n        Ok(nix::unistd::ForkResult::Parent {{ .. }}) => drop(stream),\n        Err(_) => {{}}\n    }}\n    Ok(())\n}}\n\n"
    )
}
