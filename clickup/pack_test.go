package clickup

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func testPacker() *packer {
	return newPacker("https://api.clickup.com/scim/v2/42", DefaultRoleSchema, DefaultRoleAttribute,
		DefaultCustomRoleNameAttribute, DefaultCustomRoleIDAttribute)
}

// listedUser is a resource the way the fake (and the reference's sample) renders one.
func listedUser(i int) []byte {
	return fmt.Appendf(nil, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","%[2]s"],"id":"%[1]d",`+
		`"externalId":"00u%[1]dabcdefghij","userName":"user%06[1]d@example.com","name":{"givenName":"User","familyName":"%[1]d"},`+
		`"displayName":"User %[1]d","emails":[{"value":"user%06[1]d@example.com","primary":true,"type":"work"}],"active":true,`+
		`"groups":[],"%[2]s":{"role":"member"},"meta":{"resourceType":"User","created":"2026-11-27T15:17:09Z",`+
		`"lastModified":"2026-11-27T15:17:09Z","location":"https://api.clickup.com/scim/v2/42/Users/%[1]d"}}`, 100000+i, DefaultRoleSchema)
}

func TestPackRoundTrip(t *testing.T) {
	p := testPacker()
	rng := rand.New(rand.NewPCG(1, 2))
	inputs := [][]byte{{}, []byte("{}"), []byte(`{"id":"1"}`), []byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), p.dict}
	for i := range 50 {
		inputs = append(inputs, listedUser(i))
		junk := make([]byte, rng.IntN(2000))
		for j := range junk {
			junk[j] = byte(rng.IntN(4)) + 'a' // few symbols: many short and overlapping matches
		}
		inputs = append(inputs, junk)
	}
	for _, in := range inputs {
		packed := p.pack(in)
		got, err := p.unpack(packed)
		if err != nil || !bytes.Equal(got, in) {
			t.Fatalf("%q packed to %x and unpacked to %q, %v", in, packed, got, err)
		}
	}
}

// TestPackKeepsAQuarter pins the ratio the 100,000-user memory goal rests on (BENCHMARKS.md).
func TestPackKeepsAQuarter(t *testing.T) {
	p := testPacker()
	in := listedUser(7)
	if packed := p.pack(in); len(packed)*4 > len(in) {
		t.Errorf("a listed user of %d bytes packs to %d, more than a quarter", len(in), len(packed))
	}
}

func TestUnpackPlainJSON(t *testing.T) {
	in := []byte(`{"id":"1","userName":"u"}`)
	if got, err := testPacker().unpack(in); err != nil || !bytes.Equal(got, in) {
		t.Errorf("unpack(%s) = %s, %v", in, got, err)
	}
}

func TestUnpackRejectsCorruptOrForeign(t *testing.T) {
	p := testPacker()
	packed := p.pack(listedUser(3))
	for n := 1; n < len(packed); n++ {
		if got, err := p.unpack(packed[:n]); err == nil {
			t.Fatalf("truncated to %d bytes: unpacked to %q", n, got)
		}
	}
	longer := append(bytes.Clone(packed), 0x02, 'x')
	if _, err := p.unpack(longer); err == nil {
		t.Error("trailing op beyond the stated length was accepted")
	}
	other := newPacker("https://api.clickup.com/scim/v2/43", DefaultRoleSchema, DefaultRoleAttribute,
		DefaultCustomRoleNameAttribute, DefaultCustomRoleIDAttribute)
	if _, err := other.unpack(packed); err == nil || !strings.Contains(err.Error(), "other settings") {
		t.Errorf("another client's packer: %v", err)
	}
	far := append([]byte{packedVersion, 0, 0, 0, 0}, 0x04, 0x05, 0xff, 0x7f) // copy 2 from 16383 back
	copy(far[1:5], packed[1:5])
	if _, err := p.unpack(far); err == nil {
		t.Error("a copy from before the dictionary was accepted")
	}
}

func FuzzUnpack(f *testing.F) {
	p := testPacker()
	f.Add(p.pack(listedUser(1)))
	f.Add([]byte{packedVersion})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := p.unpack(b)
		if err == nil && len(b) > 0 && b[0] == packedVersion && len(got) > maxPacked {
			t.Errorf("unpacked %d bytes", len(got))
		}
		if again, err := p.unpack(p.pack(b)); err != nil || !bytes.Equal(again, b) {
			t.Errorf("%x does not survive a round trip: %x, %v", b, again, err)
		}
	})
}

func BenchmarkPack(b *testing.B) {
	p := testPacker()
	in := listedUser(42)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		p.pack(in)
	}
	b.ReportMetric(float64(len(p.pack(in))), "packed-B")
	b.ReportMetric(float64(len(in)), "listed-B")
}
