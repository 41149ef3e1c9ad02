package jsontext

import (
	"bytes"
	"encoding/json"
	"testing"
)

// awkward are strings that need every kind of escaping encoding/json does.
var awkward = []string{
	"", "plain", `quo"te`, `back\slash`, "ctl\x00\x01\x1f\x7f\b\f\n\r\t", "<a&b>", "</script>",
	"line\u2028para\u2029", "Zoë Ωmega 日本 🙂", "bad\xff\xfeutf", "cut\xe2\x80", "\xe2\x80\xa8\xe2\x80\xa9", "tab\tend",
	"\u2027\u202a", "\ufffd", "\xed\xa0\x80 surrogate", "\xf4\x90\x80\x80 too big",
}

func encodingJSON(t testing.TB, s string, html bool) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func checkString(t *testing.T, s string) {
	for _, html := range []bool{false, true} {
		if got, want := AppendString([]byte("x"), s, html), append([]byte("x"), encodingJSON(t, s, html)...); !bytes.Equal(got, want) {
			t.Errorf("AppendString(%q, html %t) = %s, want %s", s, html, got, want)
		}
	}
}

func TestAppendStringIsEncodingJSON(t *testing.T) {
	for _, s := range awkward {
		checkString(t, s)
	}
	for c := range 256 { // every byte alone, and after and before text
		for _, s := range []string{string(rune(c)), string([]byte{byte(c)}), "a" + string([]byte{byte(c)}) + "z"} {
			checkString(t, s)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range awkward {
		f.Add(s)
	}
	f.Fuzz(checkString)
}
