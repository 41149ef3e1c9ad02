package config

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// sections are the top-level keys of the file, in the order they are documented.
var sections = []string{"okta", "clickup", "sync", "log"}

// parseYAML overlays a YAML document. It walks the node tree rather than decoding into a struct,
// so that each problem can name the setting, its environment name and the line, all problems are
// found in one pass, and an empty value stays distinguishable from an absent key.
func (st *state) parseYAML(r io.Reader, source string) {
	doc, err := decodeYAML(r)
	if err != nil {
		if source != "" {
			err = fmt.Errorf("config file %s: %w", source, err)
		}
		st.fileFailed = true
		st.fail(err)
		return
	}
	if doc == nil {
		return // an empty file: the defaults stand
	}
	p := yamlParser{st: st, source: source, inline: map[*setting]int{}, file: map[*setting]int{}}
	p.document(doc)
	for _, s := range settings {
		if il, ok := p.inline[s]; ok {
			if fl, ok := p.file[s]; ok {
				st.fail(s.err(p.where(fl), "set both as %s (line %d) and as %s_file (line %d); remove one", s.key, il, s.key, fl))
				delete(st.files, s)
			}
		}
	}
}

// decodeYAML returns the single document in r, or nil when r holds none.
func decodeYAML(r io.Reader) (doc *yaml.Node, err error) {
	// The parser is third-party code fed with operator input; a panic in it must become a
	// configuration error, not a crash loop.
	defer func() {
		if p := recover(); p != nil {
			doc, err = nil, errors.New("yaml: malformed document")
		}
	}()
	dec := yaml.NewDecoder(r)
	var n yaml.Node
	if err := dec.Decode(&n); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, err
	default:
		// Silently ignoring a second document would ignore settings the operator wrote.
		return nil, fmt.Errorf("yaml: line %d: a second document; the configuration is one document", extra.Line)
	}
	return &n, nil
}

type yamlParser struct {
	st     *state
	source string
	// Lines where a secret was set inline and by *_file, to refuse a file that does both.
	inline map[*setting]int
	file   map[*setting]int
}

func (p *yamlParser) where(line int) string {
	if p.source == "" {
		return fmt.Sprintf("line %d", line)
	}
	return fmt.Sprintf("%s:%d", p.source, line)
}

// keyErr reports a problem with a key that is not (or not yet) a known setting.
func (p *yamlParser) keyErr(line int, key, problem string) {
	p.st.fail(&SettingError{Key: key, Where: p.where(line), Problem: problem})
}

func (p *yamlParser) document(doc *yaml.Node) {
	top := doc
	if top.Kind == yaml.DocumentNode {
		if len(top.Content) == 0 {
			return
		}
		top = top.Content[0]
	}
	top = resolve(top)
	if isNull(top) {
		return
	}
	if top.Kind != yaml.MappingNode {
		p.st.fileFailed = true
		p.st.fail(fmt.Errorf("%s: the configuration must be a mapping with the sections %s", p.where(top.Line), strings.Join(sections, ", ")))
		return
	}
	p.mapping(top, "", func(k *yaml.Node, v *yaml.Node) {
		name := k.Value
		if !contains(sections, name) {
			p.keyErr(k.Line, name, "unknown key"+suggest(name, ""))
			return
		}
		if isNull(v) {
			return
		}
		if v.Kind != yaml.MappingNode {
			p.keyErr(v.Line, name, "must be a mapping of settings, not "+describe(v))
			return
		}
		p.mapping(v, name+".", func(k, v *yaml.Node) { p.item(name+"."+k.Value, k, v) })
	})
}

// mapping calls fn for each key of m, refusing keys that are not plain scalars or that repeat:
// with a repeated key, one of the operator's two values would be dropped without a word.
func (p *yamlParser) mapping(m *yaml.Node, prefix string, fn func(k, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := resolve(m.Content[i]), resolve(m.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			p.keyErr(k.Line, strings.TrimSuffix(prefix, "."), "keys must be plain names, not "+describe(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.keyErr(k.Line, prefix+k.Value, fmt.Sprintf("set twice (first at line %d)", first))
			continue
		}
		seen[k.Value] = k.Line
		fn(k, v)
	}
}

func (p *yamlParser) item(key string, k, v *yaml.Node) {
	if s := settingByKey(key); s != nil {
		p.value(s, v)
		return
	}
	if base, ok := strings.CutSuffix(key, "_file"); ok {
		if s := settingByKey(base); s != nil && s.secret() {
			p.secretFile(s, v)
			return
		}
	}
	section, _, _ := strings.Cut(key, ".")
	p.keyErr(k.Line, key, "unknown key"+suggest(key, section+"."))
}

func (p *yamlParser) secretFile(s *setting, v *yaml.Node) {
	where := p.where(v.Line)
	if isNull(v) {
		return
	}
	if v.Kind != yaml.ScalarNode {
		p.st.fail(s.fileErr(where, "must be a path, not %s", describe(v)))
		return
	}
	if v.Value == "" {
		return
	}
	p.file[s] = v.Line
	p.st.explicit[s] = true
	p.st.files[s] = fileRef{path: v.Value, label: s.fileErr(where, "")}
}

func (p *yamlParser) value(s *setting, v *yaml.Node) {
	where := p.where(v.Line)
	if isNull(v) {
		if s.keepEmpty {
			// "key:" with nothing after it is ambiguous here: empty is a choice for this setting,
			// and guessing either way could silently disable the store.
			p.st.fail(s.err(where, `has no value; write "" for empty, or remove the key for the default`))
		}
		return
	}
	if list, ok := s.ptr(&p.st.cfg).(*[]string); ok {
		p.list(s, v, list)
		return
	}
	if v.Kind != yaml.ScalarNode {
		p.st.fail(s.err(where, "must be a single value, not %s", describe(v)))
		return
	}
	if !s.keepEmpty && strings.TrimSpace(v.Value) == "" {
		return // empty means unset, as in the environment
	}
	if s.secret() {
		p.inline[s] = v.Line
	}
	p.st.explicit[s] = true
	if problem := s.set(&p.st.cfg, v.Value); problem != "" {
		p.st.fail(s.err(where, "%s", problem))
	}
}

func (p *yamlParser) list(s *setting, v *yaml.Node, dst *[]string) {
	where := p.where(v.Line)
	switch v.Kind {
	case yaml.ScalarNode:
		if !s.spaceSeparated {
			p.st.fail(s.err(where, "must be a list (one \"- entry\" per line), not a single value"))
			return
		}
		*dst = splitList(v.Value, true)
		p.st.explicit[s] = true
	case yaml.SequenceNode:
		// Entries are kept as written, empty ones included, so that Validate can point at them.
		out := make([]string, 0, len(v.Content))
		for _, e := range v.Content {
			e = resolve(e)
			if e.Kind != yaml.ScalarNode || isNull(e) {
				p.st.fail(s.err(p.where(e.Line), "list entries must be single values, not %s", describe(e)))
				return
			}
			out = append(out, strings.TrimSpace(e.Value))
		}
		*dst = out
		p.st.explicit[s] = true
	default:
		p.st.fail(s.err(where, "must be a list, not %s", describe(v)))
	}
}

// resolve follows aliases. The walk descends a fixed number of levels, so even a cyclic alias
// cannot make it loop.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 16; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if isNull(n) {
			return "an empty value"
		}
		return "a single value"
	}
	return "a document"
}

func settingByKey(key string) *setting {
	for _, s := range settings {
		if s.key == key {
			return s
		}
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, e := range list {
		if e == v {
			return true
		}
	}
	return false
}

// suggest names the key the operator probably meant: a near miss of a key in the same place, or
// the YAML key for an environment name written into the file.
func suggest(key, prefix string) string {
	for _, s := range settings {
		if strings.EqualFold(strings.TrimPrefix(key, prefix), s.env) {
			return fmt.Sprintf(" (%s is written %s in the file)", s.env, s.key)
		}
	}
	leaf := strings.TrimPrefix(key, prefix)
	var homes []string
	for _, s := range settings {
		section, l, _ := strings.Cut(s.key, ".")
		if (l == leaf || (s.secret() && l+"_file" == leaf)) && section+"." != prefix {
			homes = append(homes, section+"."+leaf)
		}
	}
	if len(homes) > 0 {
		return fmt.Sprintf(" (it belongs in another section: %s)", strings.Join(homes, " or "))
	}
	var candidates []string
	if prefix == "" {
		candidates = append(candidates, sections...)
	}
	for _, s := range settings {
		if strings.HasPrefix(s.key, prefix) && strings.Count(s.key, ".") == strings.Count(prefix, ".") {
			candidates = append(candidates, s.key)
			if s.secret() {
				candidates = append(candidates, s.key+"_file")
			}
		}
	}
	best, bestD := "", 3 // more than two edits away is a different word, not a typo
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(key), c); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		valid := candidates
		sort.Strings(valid)
		return "; valid keys here: " + strings.Join(valid, ", ")
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// editDistance is the Levenshtein distance, used only on short keys.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return len(ra) + len(rb) // not a typo of a key; also bounds the work on hostile input
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
