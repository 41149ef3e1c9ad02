package sync

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteText renders the plan as an aligned table a person scans in seconds, with a summary line.
func (p Plan) WriteText(w io.Writer) error {
	s := p.Summarize()
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", s.headline())
	if len(p.Entries) > 0 {
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ACTION\tUSER\tFIELD\tFROM\tTO\tOUTCOME\tNOTE")
		for _, e := range p.Entries {
			note := e.Reason
			if e.Error != "" {
				note = e.Error
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
				e.Action, e.User, dash(e.Field), dash(e.From), dash(e.To), e.Outcome, note)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (s Summary) headline() string {
	if len(s.Actions) == 0 {
		return "No changes: ClickUp is in step with Okta."
	}
	var writes, notes []string
	for _, a := range sortedActions(s.Actions) {
		item := fmt.Sprintf("%d %s", s.Actions[a], a)
		if a.IsWrite() {
			writes = append(writes, item)
		} else {
			notes = append(notes, item)
		}
	}
	line := "No changes to ClickUp"
	if len(writes) > 0 {
		noun := "changes"
		if s.Writes == 1 {
			noun = "change"
		}
		line = fmt.Sprintf("%d %s: %s", s.Writes, noun, strings.Join(writes, ", "))
	}
	if len(notes) > 0 {
		line += "; reported: " + strings.Join(notes, ", ")
	}
	var outcomes []string
	for _, o := range []Outcome{OutcomePlanned, OutcomeApplied, OutcomeFailed, OutcomeUnknown, OutcomeHeld, OutcomeIgnored} {
		if n := s.Outcomes[o]; n > 0 {
			outcomes = append(outcomes, fmt.Sprintf("%d %s", n, o))
		}
	}
	return line + " (" + strings.Join(outcomes, ", ") + ")."
}

func sortedActions(m map[Action]int) []Action {
	as := make([]Action, 0, len(m))
	for a := range m {
		as = append(as, a)
	}
	sort.Slice(as, func(i, j int) bool { return actionOrder[as[i]] < actionOrder[as[j]] })
	return as
}

// WriteJSON renders the plan and its summary as indented JSON.
func (p Plan) WriteJSON(w io.Writer) error {
	entries := p.Entries
	if entries == nil {
		entries = []Entry{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Entries []Entry `json:"entries"`
		Summary Summary `json:"summary"`
	}{entries, p.Summarize()})
}
