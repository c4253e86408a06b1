//! Expressions: operands, places and calls. Every call met inside an expression is hoisted
//! into a temporary assigned just before, so the operand that remains never calls anything.

use tree_sitter::Node;

use crate::ir::{Call, Callee, Operand, Place, Projection, Rvalue, StmtKind};

use super::builder::FnBuilder;
use super::literals::{is_constant_name, number_operand, parse_char};
use super::syntax::{
    fields, named_children, span_of, strip_parens, strip_parens_and_casts, text_of, Kind, NodeKind,
};

impl FnBuilder<'_> {
    /// The value of an expression, emitting its calls and assignments first.
    pub(super) fn operand(&mut self, node: Node<'_>) -> Operand {
        if !self.enter(node) {
            return Operand::Unknown;
        }
        let operand = self.operand_inner(strip_parens_and_casts(node));
        self.leave();
        operand
    }

    fn operand_inner(&mut self, node: Node<'_>) -> Operand {
        if node.is_missing() {
            // Error recovery invented this node: it has no text and no value.
            return Operand::Unknown;
        }
        match node.syntax_kind() {
            Kind::Identifier => self.name_operand(text_of(node, self.text)),
            Kind::NumberLiteral => number_operand(text_of(node, self.text)),
            Kind::CharLiteral => {
                parse_char(text_of(node, self.text)).map_or(Operand::Unknown, Operand::Int)
            }
            Kind::StringLiteral | Kind::ConcatenatedString => Operand::Str(self.string_value(node)),
            Kind::True => Operand::Int(1),
            Kind::False => Operand::Int(0),
            Kind::Null => Operand::Const(text_of(node, self.text).to_string()),
            Kind::CallExpression => self.hoisted_call(node),
            Kind::AssignmentExpression | Kind::UpdateExpression => self.assignment_operand(node),
            Kind::FieldExpression | Kind::SubscriptExpression => self.place_operand(node),
            Kind::PointerExpression => self.pointer_operand(node),
            Kind::UnaryExpression => self.unary_operand(node),
            Kind::SizeofExpression | Kind::AlignofExpression | Kind::OffsetofExpression => {
                self.sizeof_operand(node)
            }
            Kind::CompoundStatement => self.statement_expression(node),
            Kind::InitializerPair => self.initializer_pair(node),
            Kind::BinaryExpression
            | Kind::ConditionalExpression
            | Kind::CommaExpression
            | Kind::InitializerList
            | Kind::CompoundLiteralExpression
            | Kind::ParenthesizedExpression => self.expr_of_children(node),
            _ => Operand::Unknown,
        }
    }

    // The arms of `operand_inner` live in functions of their own: a debug build gives a
    // function one stack slot per temporary of every arm, and this one recurses.

    fn hoisted_call(&mut self, node: Node<'_>) -> Operand {
        let call = self.call(node);
        let span = call.span;
        self.hoist(Rvalue::Call(call), span)
    }

    fn assignment_operand(&mut self, node: Node<'_>) -> Operand {
        self.assignment(node).map_or(Operand::Unknown, Operand::Place)
    }

    /// A GNU statement expression `({ ... })`: its statements run here.
    fn statement_expression(&mut self, node: Node<'_>) -> Operand {
        self.block(node);
        Operand::Unknown
    }

    /// `.fd = c` in an initialiser list: the value is what matters.
    fn initializer_pair(&mut self, node: Node<'_>) -> Operand {
        match node.child_by_field_id(fields().value) {
            Some(value) => self.operand(value),
            None => Operand::Unknown,
        }
    }

    /// A name: a local if declared in scope, else a constant or a global by its spelling.
    fn name_operand(&self, name: &str) -> Operand {
        match self.lookup(name) {
            Some(id) => Operand::Place(Place::local(id)),
            None if is_constant_name(name) => Operand::Const(name.to_string()),
            None => Operand::Place(Place::global(name)),
        }
    }

    fn string_value(&self, node: Node<'_>) -> String {
        if node.syntax_kind() == Kind::StringLiteral {
            let quoted = text_of(node, self.text);
            let body = quoted.strip_suffix('"').unwrap_or(quoted);
            // Skip the prefix (`L`, `u8`) and the opening quote.
            return body.split_once('"').map_or(body, |(_, rest)| rest).to_string();
        }
        // Adjacent literals concatenate; macros between them (`PRIu64`) are unknown text.
        named_children(node)
            .into_iter()
            .filter(|part| part.syntax_kind() == Kind::StringLiteral)
            .map(|part| self.string_value(part))
            .collect()
    }

    /// Every sub-expression's operand, as an `Expr` that keeps what it mentions.
    fn expr_of_children(&mut self, node: Node<'_>) -> Operand {
        let mut parts = Vec::new();
        for child in named_children(node) {
            // Type names (in compound literals) and designators (`.f =`) are not values.
            if matches!(
                child.syntax_kind(),
                Kind::TypeDescriptor | Kind::FieldDesignator | Kind::SubscriptDesignator
            ) {
                continue;
            }
            parts.push(self.operand(child));
        }
        Operand::Expr(parts)
    }

    fn unary_operand(&mut self, node: Node<'_>) -> Operand {
        let operator = node.child_by_field_id(fields().operator).map(|op| text_of(op, self.text));
        let Some(argument) = node.child_by_field_id(fields().argument) else {
            return Operand::Unknown;
        };
        let literal = strip_parens(argument);
        if literal.syntax_kind() == Kind::NumberLiteral {
            match (operator, number_operand(text_of(literal, self.text))) {
                (Some("-"), Operand::Int(value)) => return Operand::Int(value.wrapping_neg()),
                (Some("+"), Operand::Int(value)) => return Operand::Int(value),
                _ => {}
            }
        }
        Operand::Expr(vec![self.operand(argument)])
    }

    /// `sizeof` never evaluates its operand: keep a plain name it mentions, run nothing.
    fn sizeof_operand(&mut self, node: Node<'_>) -> Operand {
        let named = node.child_by_field_id(fields().value).map(strip_parens);
        match named {
            Some(name) if name.syntax_kind() == Kind::Identifier => {
                Operand::Expr(vec![self.name_operand(text_of(name, self.text))])
            }
            _ => Operand::Expr(Vec::new()),
        }
    }

    fn pointer_operand(&mut self, node: Node<'_>) -> Operand {
        let is_address_of = node
            .child_by_field_id(fields().operator)
            .is_some_and(|op| text_of(op, self.text) == "&");
        if !is_address_of {
            return self.place_operand(node);
        }
        let Some(argument) = node.child_by_field_id(fields().argument) else {
            return Operand::Unknown;
        };
        match self.place(argument) {
            Some(place) => Operand::Ref(place),
            None => Operand::Expr(vec![self.operand(argument)]),
        }
    }

    fn place_operand(&mut self, node: Node<'_>) -> Operand {
        match self.place(node) {
            Some(place) => Operand::Place(place),
            None => Operand::Unknown,
        }
    }

    /// The storage location an expression names (`p->f`, `*(int *)zh`, `a[i]`), or `None`
    /// when it names none (`a + b`).
    pub(super) fn place(&mut self, node: Node<'_>) -> Option<Place> {
        if !self.enter(node) {
            return None;
        }
        let place = self.place_inner(strip_parens_and_casts(node));
        self.leave();
        place
    }

    fn place_inner(&mut self, node: Node<'_>) -> Option<Place> {
        let (base, projection) = match node.syntax_kind() {
            Kind::Identifier => {
                let name = text_of(node, self.text);
                return match self.lookup(name) {
                    _ if name.is_empty() => None,
                    Some(id) => Some(Place::local(id)),
                    None if is_constant_name(name) => None,
                    None => Some(Place::global(name)),
                };
            }
            Kind::FieldExpression => {
                let field = node
                    .child_by_field_id(fields().field)
                    .map(|f| text_of(f, self.text).to_string());
                let arrow = node
                    .child_by_field_id(fields().operator)
                    .is_some_and(|op| text_of(op, self.text) == "->");
                let base = self.place(node.child_by_field_id(fields().argument)?)?;
                let mut place = base;
                if arrow {
                    place.projections.push(Projection::Deref);
                }
                (place, Projection::Field(field.unwrap_or_default()))
            }
            Kind::PointerExpression => {
                let is_deref = node
                    .child_by_field_id(fields().operator)
                    .is_some_and(|op| text_of(op, self.text) == "*");
                if !is_deref {
                    return None;
                }
                (self.place(node.child_by_field_id(fields().argument)?)?, Projection::Deref)
            }
            Kind::SubscriptExpression => {
                let base = self.place(node.child_by_field_id(fields().argument)?)?;
                if let Some(index) = node.child_by_field_id(fields().index) {
                    // The index names no place of its own, but its calls still run.
                    self.operand(index);
                }
                (base, Projection::Index)
            }
            _ => {
                // A call or assignment whose value is then projected (`get()->fd`):
                // its value sits in a place after hoisting.
                return match self.operand(node) {
                    Operand::Place(place) => Some(place),
                    _ => None,
                };
            }
        };
        let mut place = base;
        place.projections.push(projection);
        Some(place)
    }

    /// A call with its arguments lowered left to right (their own calls hoisted first).
    pub(super) fn call(&mut self, node: Node<'_>) -> Call {
        let function = node.child_by_field_id(fields().function);
        let name = function.filter(|f| f.syntax_kind() == Kind::Identifier && !f.is_missing());
        let callee = match name {
            Some(name) => Callee::Path(text_of(name, self.text).to_string()),
            None => {
                // `s->cb(x)`, `(*fp)(x)`: whatever computes the function still runs.
                if let Some(function) = function {
                    self.operand(function);
                }
                Callee::Unknown
            }
        };
        // A plain loop, not an iterator chain: each adapter is a stack frame per nesting level.
        let arg_nodes =
            node.child_by_field_id(fields().arguments).map(named_children).unwrap_or_default();
        let mut args = Vec::with_capacity(arg_nodes.len());
        let mut arg_spans = Vec::with_capacity(arg_nodes.len());
        for arg in arg_nodes {
            args.push(self.operand(arg));
            arg_spans.push(span_of(arg));
        }
        let callee_span = function.map_or_else(|| span_of(node), span_of);
        Call { callee, args, span: span_of(node), callee_span, arg_spans }
    }

    /// The right-hand side of an assignment or initialiser: a call stays a call (`fd =
    /// socket(..)`), anything else is the operand.
    pub(super) fn rvalue(&mut self, node: Node<'_>) -> Rvalue {
        let inner = strip_parens_and_casts(node);
        if inner.syntax_kind() == Kind::CallExpression && self.enter(inner) {
            let call = self.call(inner);
            self.leave();
            return Rvalue::Call(call);
        }
        Rvalue::Use(self.operand(node))
    }

    /// Emits `x = e`, `x += e` (as `x = expr(x, e)`) or `x++`; returns the place assigned,
    /// which is also the value of the expression.
    pub(super) fn assignment(&mut self, node: Node<'_>) -> Option<Place> {
        let span = span_of(node);
        let target_node = node
            .child_by_field_id(fields().left)
            .or_else(|| node.child_by_field_id(fields().argument))?;
        let target = self.place(target_node);
        let operator =
            node.child_by_field_id(fields().operator).map_or("", |op| text_of(op, self.text));
        let value = match node.child_by_field_id(fields().right) {
            Some(right) if operator == "=" => self.rvalue(right),
            Some(right) => {
                let current = target.clone().map_or(Operand::Unknown, Operand::Place);
                Rvalue::Use(Operand::Expr(vec![current, self.operand(right)]))
            }
            // `x++`, `--x`: a new value computed from the old.
            None => Rvalue::Use(Operand::Expr(vec![target
                .clone()
                .map_or(Operand::Unknown, Operand::Place)])),
        };
        match target {
            Some(target) => {
                self.emit(StmtKind::Assign { target: target.clone(), value }, span);
                Some(target)
            }
            None => {
                self.emit(StmtKind::Eval(value), span);
                None
            }
        }
    }

    /// An expression evaluated for its effect (an expression statement, a `for` update).
    pub(super) fn effect(&mut self, node: Node<'_>) {
        if !self.enter(node) {
            return;
        }
        self.effect_inner(strip_parens_and_casts(node));
        self.leave();
    }

    fn effect_inner(&mut self, node: Node<'_>) {
        let span = span_of(node);
        match node.syntax_kind() {
            Kind::CallExpression => {
                let call = self.call(node);
                self.emit(StmtKind::Eval(Rvalue::Call(call)), span);
            }
            Kind::AssignmentExpression | Kind::UpdateExpression => {
                self.assignment(node);
            }
            Kind::CommaExpression => {
                for part in named_children(node) {
                    self.effect(part);
                }
            }
            Kind::ConditionalExpression => self.conditional_effect(node),
            _ => {
                // `x;`, `a + f();`: keep the read; a statement expression already emitted
                // its statements and has no value worth a statement.
                let operand = self.operand(node);
                if operand != Operand::Unknown {
                    self.emit(StmtKind::Eval(Rvalue::Use(operand)), span);
                }
            }
        }
    }
}
