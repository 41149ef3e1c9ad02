package oktatest

import (
	"errors"
	"fmt"
	"strings"
)

// parseLogFilter parses the System Log's SCIM filter expression, the part of it the fake
// supports: comparisons of eventType, target.id, target.type or actor.id with eq, sw, co or ew
// and a quoted string, joined by and and or, in parentheses or not. Strings compare without
// regard to case, as Okta's do. A malformed expression is refused with Okta's E0000053; a
// well-formed one the fake does not support (another attribute, ne, pr, not, published) with
// E0000031, which is also what Okta answers for a combination it does not support.
func parseLogFilter(expr string) (func(*logEntry) bool, string, error) {
	toks, err := tokenizeFilter(expr)
	if err != nil {
		return nil, "E0000053", err
	}
	p := filterParser{toks: toks}
	m, err := p.or()
	if err == nil && p.i < len(p.toks) {
		err = fmt.Errorf("unexpected %q at token %d", p.toks[p.i], p.i+1)
	}
	if err != nil {
		var u unsupported
		if errors.As(err, &u) {
			return nil, "E0000031", err
		}
		return nil, "E0000053", err
	}
	return m, "", nil
}

type unsupported struct{ what string }

func (u unsupported) Error() string { return u.what + " is not supported by the fake org" }

// tokenizeFilter splits expr into parentheses, quoted strings (kept with their quotes and
// unescaped inside) and words.
func tokenizeFilter(expr string) ([]string, error) {
	var toks []string
	for i := 0; i < len(expr); {
		switch c := expr[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case c == '"':
			value, rest, err := parseQuoted(expr[i:])
			if err != nil {
				return nil, err
			}
			toks = append(toks, `"`+value)
			i = len(expr) - len(rest)
		default:
			j := i
			for j < len(expr) && !strings.ContainsRune(" \t()\"", rune(expr[j])) {
				j++
			}
			toks = append(toks, expr[i:j])
			i = j
		}
	}
	if len(toks) == 0 {
		return nil, errors.New("the expression is empty")
	}
	return toks, nil
}

type filterParser struct {
	toks []string
	i    int
}

func (p *filterParser) peekWord(w string) bool {
	return p.i < len(p.toks) && strings.EqualFold(p.toks[p.i], w)
}

func (p *filterParser) or() (func(*logEntry) bool, error) {
	left, err := p.and()
	for err == nil && p.peekWord("or") {
		p.i++
		var right func(*logEntry) bool
		if right, err = p.and(); err == nil {
			l := left
			left = func(e *logEntry) bool { return l(e) || right(e) }
		}
	}
	return left, err
}

func (p *filterParser) and() (func(*logEntry) bool, error) {
	left, err := p.primary()
	for err == nil && p.peekWord("and") {
		p.i++
		var right func(*logEntry) bool
		if right, err = p.primary(); err == nil {
			l := left
			left = func(e *logEntry) bool { return l(e) && right(e) }
		}
	}
	return left, err
}

func (p *filterParser) primary() (func(*logEntry) bool, error) {
	if p.i >= len(p.toks) {
		return nil, errors.New("the expression ends early")
	}
	if p.toks[p.i] == "(" {
		p.i++
		m, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.toks) || p.toks[p.i] != ")" {
			return nil, errors.New("missing )")
		}
		p.i++
		return m, nil
	}
	if p.peekWord("not") {
		return nil, unsupported{"not"}
	}
	if p.i+1 >= len(p.toks) {
		return nil, fmt.Errorf("expected an operator after %q", p.toks[p.i])
	}
	attr, op := p.toks[p.i], strings.ToLower(p.toks[p.i+1])
	p.i += 2
	switch op {
	case "eq", "sw", "co", "ew":
	case "ne", "gt", "ge", "lt", "le", "pr":
		return nil, unsupported{"the operator " + op}
	default:
		return nil, fmt.Errorf("unrecognized attribute operator %q: expected eq, co, sw, pr, gt, ge, lt or le", op)
	}
	if p.i >= len(p.toks) || !strings.HasPrefix(p.toks[p.i], `"`) {
		return nil, fmt.Errorf("expected a quoted string after %s %s", attr, op)
	}
	value := strings.ToLower(p.toks[p.i][1:])
	p.i++
	cmp := map[string]func(string) bool{
		"eq": func(s string) bool { return strings.ToLower(s) == value },
		"sw": func(s string) bool { return strings.HasPrefix(strings.ToLower(s), value) },
		"co": func(s string) bool { return strings.Contains(strings.ToLower(s), value) },
		"ew": func(s string) bool { return strings.HasSuffix(strings.ToLower(s), value) },
	}[op]
	anyTarget := func(field func(LogTarget) string) func(*logEntry) bool {
		return func(e *logEntry) bool {
			for _, t := range e.Targets {
				if cmp(field(t)) {
					return true
				}
			}
			return false
		}
	}
	switch attr {
	case "eventType":
		return func(e *logEntry) bool { return cmp(e.EventType) }, nil
	case "actor.id":
		return func(e *logEntry) bool { return cmp(e.Actor.ID) }, nil
	case "target.id":
		return anyTarget(func(t LogTarget) string { return t.ID }), nil
	case "target.type":
		return anyTarget(func(t LogTarget) string { return t.Type }), nil
	case "published":
		return nil, errors.New("published cannot be used in a filter; use since")
	}
	if strings.HasPrefix(attr, `"`) || attr == "(" || attr == ")" {
		return nil, fmt.Errorf("expected an attribute at %q", attr)
	}
	return nil, unsupported{"the attribute " + attr}
}
