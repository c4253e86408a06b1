//! The order in which a file's functions are analysed: callees before their callers, so that a
//! call within the file finds the summary of the same analysis (recursion aside).

use std::collections::HashMap;

use crate::ir::{Callee, Function, LoweredFile, Rvalue, StmtKind};

/// The indices of the file's functions, each after the functions of the file it calls (by the
/// last segment of the name, which may order more than it needs to, never less); a cycle is
/// broken where the walk meets it. Iterative: a long call chain cannot overflow the stack.
pub fn callees_first(file: &LoweredFile) -> Vec<usize> {
    // foldhash: a fraction of SipHash's cost on short names.
    let mut by_name: HashMap<&str, Vec<usize>, foldhash::fast::RandomState> = HashMap::default();
    for (index, function) in file.functions.iter().enumerate() {
        by_name.entry(last_segment(&function.name)).or_default().push(index);
    }
    let calls = |function: &Function| -> Vec<usize> {
        let mut callees: Vec<usize> = function_callees(function)
            .filter_map(|name| by_name.get(name))
            .flatten()
            .copied()
            .collect();
        callees.sort_unstable();
        callees.dedup();
        callees
    };
    let mut order = Vec::with_capacity(file.functions.len());
    let mut visited = vec![false; file.functions.len()];
    for root in 0..file.functions.len() {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        let mut stack = vec![(root, calls(&file.functions[root]), 0)];
        while let Some((function, callees, next)) = stack.last_mut() {
            match callees.get(*next) {
                Some(&callee) => {
                    *next += 1;
                    if !visited[callee] {
                        visited[callee] = true;
                        stack.push((callee, calls(&file.functions[callee]), 0));
                    }
                }
                None => {
                    order.push(*function);
                    stack.pop();
                }
            }
        }
    }
    order
}

/// The last segment of the name of every function a function calls (repeats included).
pub(super) fn function_callees(function: &Function) -> impl Iterator<Item = &str> {
    function.blocks.iter().flat_map(|block| &block.stmts).filter_map(|stmt| match &stmt.kind {
        StmtKind::Assign { value: Rvalue::Call(call), .. } | StmtKind::Eval(Rvalue::Call(call)) => {
            match &call.callee {
                Callee::Path(path) | Callee::Method(path) => Some(last_segment(path)),
                Callee::Unknown => None,
            }
        }
        _ => None,
    })
}

/// `db::connect` → `connect`.
pub(super) fn last_segment(path: &str) -> &str {
    super::summary::last_segments(path, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend;
    use crate::ir::Language;

    fn order_of(text: &str) -> Vec<String> {
        let file = frontend::lower(Language::C, text);
        callees_first(&file).into_iter().map(|i| file.functions[i].name.clone()).collect()
    }

    #[test]
    fn callees_come_before_their_callers() {
        let text = "int main(void) { serve(); return 0; }\n\
                    void serve(void) { int fd = open_conn(); use(fd); }\n\
                    int open_conn(void) { return socket(2, 1, 0); }\n";
        assert_eq!(order_of(text), ["open_conn", "serve", "main"]);
    }

    #[test]
    fn recursion_puts_every_function_once() {
        let text = "void ping(int n) { pong(n - 1); }\n\
                    void pong(int n) { ping(n - 1); }\n\
                    void self_call(int n) { self_call(n); }\n";
        assert_eq!(order_of(text), ["pong", "ping", "self_call"]);
    }

    #[test]
    fn a_call_chain_thousands_deep_does_not_overflow() {
        let text: String =
            (0..5000).map(|i| format!("void f{i}(void) {{ f{}(); }}\n", i + 1)).collect();
        let order = order_of(&text);
        assert_eq!(order.len(), 5000);
        assert_eq!(order.first().map(String::as_str), Some("f4999"));
        assert_eq!(order.last().map(String::as_str), Some("f0"));
    }
}
