package clickup

import (
	"fmt"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// The documents of the discovery endpoints (RFC 7643 §5–§7), as much of them as Discover uses,
// read as strictly as every other answer: a member of the wrong type fails the decode.

// spcDoc is the part of a ServiceProviderConfig (RFC 7643 §5) this client uses.
type spcDoc struct {
	Patch *struct {
		Supported *bool `json:"supported"`
	} `json:"patch"`
	Filter *filterDoc `json:"filter"`
}

type filterDoc struct {
	Supported  *bool          `json:"supported"`
	MaxResults jsontext.Value `json:"maxResults"`
	maxResults int
}

func parseSPC(body []byte) (*spcDoc, error) {
	var d spcDoc
	if err := decodeObject(body, &d); err != nil {
		return nil, err
	}
	if f := d.Filter; f != nil && !isNull(f.MaxResults) {
		n, err := jsonInt(f.MaxResults)
		if err != nil {
			return nil, fmt.Errorf("filter.maxResults is %v", err)
		}
		// 0 or less would page nothing; it says no more than "not announced".
		f.maxResults = int(min(max(n, 0), maxCounter))
	}
	return &d, nil
}

// resourceTypeDoc is a ResourceType (RFC 7643 §6).
type resourceTypeDoc struct {
	Name             string `json:"name"`
	Endpoint         string `json:"endpoint"`
	Schema           string `json:"schema"`
	SchemaExtensions []struct {
		Schema   string `json:"schema"`
		Required bool   `json:"required"`
	} `json:"schemaExtensions"`
}

// schemaDoc is a Schema (RFC 7643 §7).
type schemaDoc struct {
	ID         string    `json:"id"`
	Attributes []attrDoc `json:"attributes"`
}

type attrDoc struct {
	Name            string           `json:"name"`
	Type            string           `json:"type"`
	MultiValued     bool             `json:"multiValued"`
	Mutability      string           `json:"mutability"`
	CanonicalValues []jsontext.Value `json:"canonicalValues"`
}

// attr is the attribute called name (case-insensitively, RFC 7643 §2.1), nil when there is none.
func (s *schemaDoc) attr(name string) *attrDoc {
	for i := range s.Attributes {
		if strings.EqualFold(s.Attributes[i].Name, name) {
			return &s.Attributes[i]
		}
	}
	return nil
}

func (s *schemaDoc) attrList() string {
	if len(s.Attributes) == 0 {
		return "no attributes"
	}
	names := make([]string, 0, len(s.Attributes))
	for _, a := range s.Attributes {
		names = append(names, shown(a.Name))
	}
	return truncate(strings.Join(names, ", "), maxQuoted/2)
}

func parseResourceTypes(body []byte) ([]resourceTypeDoc, error) {
	raws, err := discoveryList(body)
	if err != nil {
		return nil, err
	}
	out := make([]resourceTypeDoc, 0, len(raws))
	for i, raw := range raws {
		var t resourceTypeDoc
		if err := decodeObject(raw, &t); err != nil {
			return nil, fmt.Errorf("resource type %d: %w", i, err)
		}
		if t.Name == "" && t.Endpoint == "" {
			return nil, fmt.Errorf("resource type %d has neither a name nor an endpoint", i)
		}
		out = append(out, t)
	}
	return out, nil
}

func parseSchemas(body []byte) ([]schemaDoc, error) {
	raws, err := discoveryList(body)
	if err != nil {
		return nil, err
	}
	out := make([]schemaDoc, 0, len(raws))
	for i, raw := range raws {
		var s schemaDoc
		if err := decodeObject(raw, &s); err != nil {
			return nil, fmt.Errorf("schema %d: %w", i, err)
		}
		switch {
		case s.ID == "":
			return nil, fmt.Errorf("schema %d has no id", i)
		case findSchema(out, s.ID) != nil:
			return nil, fmt.Errorf("schema %s is defined twice", shown(s.ID))
		}
		out = append(out, s)
	}
	return out, nil
}

// discoveryList reads the resources of a discovery listing: a ListResponse as RFC 7644 §4 has
// it, or the bare array some services send. The list must be whole: a discovery endpoint is not
// paged (RFC 7644 §4 has the query parameters ignored), so fewer resources than totalResults is
// a service this client cannot read right.
func discoveryList(body []byte) ([]jsontext.Value, error) {
	var raws []jsontext.Value
	if jsontext.Value(body).Kind() == '[' {
		if err := decodeValue(body, &raws); err != nil {
			return nil, err
		}
		return raws, nil
	}
	var d struct {
		TotalResults jsontext.Value   `json:"totalResults"`
		Resources    []jsontext.Value `json:"Resources"`
	}
	if err := decodeObject(body, &d); err != nil {
		return nil, err
	}
	if !isNull(d.TotalResults) {
		n, err := jsonInt(d.TotalResults)
		if err != nil {
			return nil, fmt.Errorf("totalResults is %v", err)
		}
		if n != int64(len(d.Resources)) {
			return nil, fmt.Errorf("totalResults is %d but %d resources are listed", n, len(d.Resources))
		}
	}
	return d.Resources, nil
}
