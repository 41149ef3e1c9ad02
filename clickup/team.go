package clickup

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// teamRead is what workspaceOwner keeps of GET /team: the owners of one Workspace.
type teamRead struct {
	workspaceID string
	teams       int      // Workspaces listed
	found       bool     // the configured Workspace is among them
	owners      []string // its members with role 1
}

// decode reads {"teams":[{"id":"…","members":[{"user":{"id":…,"role":…}},…]},…]} one member
// at a time, each value read whole only when it is small: a member, an id, or something skipped
// (checkJSON bounds each one's strings and numbers). A team's members may come before its id, so
// each team's owners and first bad member are kept until its id tells whether they matter.
func (tr *teamRead) decode(r io.Reader) error {
	dec := jsontext.NewDecoder(r)
	if err := openObject(dec, "the body"); err != nil {
		return err
	}
	sawTeams := false
	for dec.PeekKind() != '}' {
		key, err := readName(dec)
		if err != nil {
			return err
		}
		if key != "teams" {
			if _, err := readValue(dec); err != nil {
				return err
			}
			continue
		}
		switch dec.PeekKind() {
		case 'n':
			sawTeams = false
			if _, err := dec.ReadToken(); err != nil {
				return jsonError(err)
			}
			continue
		case '[':
		default:
			return fmt.Errorf("teams is %s, want an array", kindName(dec.PeekKind()))
		}
		if _, err := dec.ReadToken(); err != nil {
			return jsonError(err)
		}
		sawTeams = true
		tr.teams, tr.found, tr.owners = 0, false, nil
		for i := 0; dec.PeekKind() != ']'; i++ {
			if err := tr.decodeTeam(dec, i); err != nil {
				return err
			}
			tr.teams++
		}
		if _, err := dec.ReadToken(); err != nil { // ]
			return jsonError(err)
		}
	}
	if _, err := dec.ReadToken(); err != nil { // }
		return jsonError(err)
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return errors.New("data after the answer")
	}
	if !sawTeams {
		return errors.New("teams is missing")
	}
	return nil
}

type teamMember struct {
	User *struct {
		ID   jsontext.Value `json:"id"`
		Role jsontext.Value `json:"role"`
	} `json:"user"`
}

func (tr *teamRead) decodeTeam(dec *jsontext.Decoder, i int) error {
	if err := openObject(dec, "team "+strconv.Itoa(i)); err != nil {
		return err
	}
	var (
		id      string
		haveID  bool
		owners  []string
		bad     error // the first member that does not read
		members int
	)
	for dec.PeekKind() != '}' {
		key, err := readName(dec)
		if err != nil {
			return err
		}
		switch key {
		case "id":
			v, err := readValue(dec)
			if err != nil {
				return err
			}
			if v.Kind() != '"' || decodeValue(v, &id) != nil {
				return fmt.Errorf("team %d: id is %s, want a string", i, kindName(v.Kind()))
			}
			haveID = true
		case "members":
			switch dec.PeekKind() {
			case 'n':
				if _, err := dec.ReadToken(); err != nil {
					return jsonError(err)
				}
				continue
			case '[':
			default:
				return fmt.Errorf("team %d: members is %s, want an array", i, kindName(dec.PeekKind()))
			}
			if _, err := dec.ReadToken(); err != nil {
				return jsonError(err)
			}
			for ; dec.PeekKind() != ']'; members++ {
				v, err := readValue(dec)
				if err != nil {
					return err
				}
				if bad != nil {
					continue
				}
				var m teamMember
				if err := decodeValue(v, &m); err != nil {
					bad = fmt.Errorf("member %d: %w", members, err)
					continue
				}
				if m.User == nil {
					bad = fmt.Errorf("member %d has no user", members)
					continue
				}
				role, err := jsonInt(m.User.Role)
				if err != nil {
					bad = fmt.Errorf("member %d: role is %v", members, err)
					continue
				}
				if role != roleOwner {
					continue
				}
				uid, err := jsonInt(m.User.ID)
				if err != nil {
					bad = fmt.Errorf("owner's id is %v", err)
					continue
				}
				owners = append(owners, strconv.FormatInt(uid, 10))
			}
			if _, err := dec.ReadToken(); err != nil { // ]
				return jsonError(err)
			}
		default:
			if _, err := readValue(dec); err != nil {
				return err
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil { // }
		return jsonError(err)
	}
	if !haveID {
		return fmt.Errorf("team %d: id is missing, want a string", i)
	}
	if id != tr.workspaceID || tr.found {
		return nil
	}
	if bad != nil {
		return fmt.Errorf("team %s: %w", shown(id), bad)
	}
	tr.found, tr.owners = true, owners
	return nil
}

// openObject reads the '{' that must come next.
func openObject(dec *jsontext.Decoder, what string) error {
	switch k := dec.PeekKind(); k {
	case '{':
		_, err := dec.ReadToken()
		if err != nil {
			return jsonError(err)
		}
		return nil
	case 0:
		_, err := dec.ReadToken()
		if err == io.EOF {
			return fmt.Errorf("%s is empty", what)
		}
		return jsonError(err)
	default:
		return fmt.Errorf("%s is %s, want an object", what, kindName(k))
	}
}

// readName reads an object member's name, refusing one over maxValueBytes.
func readName(dec *jsontext.Decoder) (string, error) {
	v, err := readValue(dec)
	if err != nil {
		return "", err
	}
	name, err := jsontext.AppendUnquote(nil, v)
	if err != nil {
		return "", jsonError(err)
	}
	return string(name), nil
}

// readValue reads the next value whole, which checkJSON bounds when it is large enough to hold
// a value over the limit (a member of GET /team is a few hundred bytes: 100,000 of them need no
// second reading). The value is valid until the next read from dec.
func readValue(dec *jsontext.Decoder) (jsontext.Value, error) {
	v, err := dec.ReadValue()
	if err != nil {
		return nil, jsonError(err)
	}
	if len(v) > maxValueBytes {
		if err := checkJSON(v, 0); err != nil {
			return nil, err
		}
	}
	return v, nil
}
