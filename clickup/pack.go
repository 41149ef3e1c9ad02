package clickup

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// A listed user is kept whole, so that a PUT can send back what this client does not model, but
// at 100,000 users the resources as listed are over 55 MB: most of each one (schema URNs,
// attribute names, the location prefix, the email domain twice) repeats in every other one. The
// packer stores each resource as an LZ77 stream against a dictionary of that shared text plus
// the resource's own earlier bytes, which keeps about a quarter of it. flate would do the same,
// but resetting a flate writer with a dictionary clears 640 KB of tables, which at one resource
// at a time costs more than the reads it runs beside.
//
// Packed form: packedVersion, the dictionary's CRC-32 (little-endian), uvarint length of the
// resource, then ops: uvarint(n<<1) and n literal bytes, or uvarint(n<<1|1) and uvarint
// distance, copying n bytes that start that far back in dictionary+output.
const (
	packedVersion = 0x01
	minMatch      = 4
	hashBits      = 12
	// maxPacked bounds what a corrupt length could make the decoder allocate.
	maxPacked = 1 << 24
)

var errCorruptPacked = errors.New("packed resource is corrupt")

type packer struct {
	dict  []byte
	id    uint32
	table [1 << hashBits]int32 // dictionary position+1 of each 4-byte hash; 0 is none
}

// newPacker builds the dictionary from what every resource of this Workspace shares: the
// attribute names, the schema URNs and role attributes this client was configured with, and the
// SCIM base URL that meta.location starts with.
func newPacker(base, roleSchema, roleAttr, nameAttr, idAttr string) *packer {
	role := `"` + roleAttr + `":"member","` + roleAttr + `":"admin","` + roleAttr + `":"guest","` +
		idAttr + `":"","` + nameAttr + `":""`
	if roleSchema != "" {
		role = `"` + roleSchema + `":{` + role + `}`
	}
	dict := `{"schemas":["` + schemaUser + `","` + roleSchema + `"],"id":"","externalId":"","userName":"",` +
		`"name":{"givenName":"","familyName":"","formatted":""},"displayName":"",` +
		`"emails":[{"value":"","primary":true,"type":"work"}],"active":false,"active":true,"groups":[],` +
		role + `,"meta":{"resourceType":"User","created":"20","lastModified":"20","location":"` + base + `/Users/"}}`
	p := &packer{dict: []byte(dict), id: crc32.ChecksumIEEE([]byte(dict))}
	for i := 0; i+minMatch <= len(p.dict); i++ {
		p.table[hash4(p.dict[i:])] = int32(i + 1)
	}
	return p
}

func hash4(b []byte) uint32 {
	return (binary.LittleEndian.Uint32(b) * 2654435761) >> (32 - hashBits)
}

func matchLen(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// pack returns src in packed form, in a slice of its own.
func (p *packer) pack(src []byte) []byte {
	var scratch [1024]byte
	out := append(scratch[:0], packedVersion, 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(out[1:], p.id)
	out = binary.AppendUvarint(out, uint64(len(src)))
	var own [1 << hashBits]int32 // position+1 in src of each 4-byte hash seen so far
	lit := 0
	for i := 0; i+minMatch <= len(src); {
		h := hash4(src[i:])
		dist, n := 0, 0
		if d := p.table[h]; d > 0 {
			if l := matchLen(p.dict[d-1:], src[i:]); l >= minMatch {
				dist, n = len(p.dict)-int(d-1)+i, l
			}
		}
		if s := own[h]; s > 0 {
			if l := matchLen(src[s-1:], src[i:]); l >= minMatch && l > n {
				dist, n = i-int(s-1), l
			}
		}
		own[h] = int32(i + 1)
		if n == 0 {
			i++
			continue
		}
		if lit < i {
			out = binary.AppendUvarint(out, uint64(i-lit)<<1)
			out = append(out, src[lit:i]...)
		}
		out = binary.AppendUvarint(out, uint64(n)<<1|1)
		out = binary.AppendUvarint(out, uint64(dist))
		i += n
		lit = i
	}
	if lit < len(src) {
		out = binary.AppendUvarint(out, uint64(len(src)-lit)<<1)
		out = append(out, src[lit:]...)
	}
	return append([]byte(nil), out...)
}

// unpack returns the resource a Raw holds: plain JSON as it is (a user built by hand or
// answered by a write), a packed one decoded against this client's dictionary.
func (p *packer) unpack(raw []byte) ([]byte, error) {
	if len(raw) == 0 || raw[0] != packedVersion {
		return raw, nil
	}
	if len(raw) < 5 {
		return nil, errCorruptPacked
	}
	if id := binary.LittleEndian.Uint32(raw[1:]); id != p.id {
		return nil, fmt.Errorf("packed resource was listed by a client with other settings (dictionary %08x, this one %08x)", id, p.id)
	}
	rest := raw[5:]
	size, k := binary.Uvarint(rest)
	if k <= 0 || size > maxPacked {
		return nil, errCorruptPacked
	}
	rest = rest[k:]
	out := make([]byte, 0, size)
	for len(rest) > 0 {
		op, k := binary.Uvarint(rest)
		if k <= 0 || op>>1 == 0 || op>>1 > size-uint64(len(out)) {
			return nil, errCorruptPacked
		}
		rest = rest[k:]
		n := int(op >> 1)
		if op&1 == 0 {
			if n > len(rest) {
				return nil, errCorruptPacked
			}
			out = append(out, rest[:n]...)
			rest = rest[n:]
			continue
		}
		dist, k := binary.Uvarint(rest)
		at := uint64(len(p.dict) + len(out))
		if k <= 0 || dist == 0 || dist > at {
			return nil, errCorruptPacked
		}
		rest = rest[k:]
		// Byte by byte: a copy may overlap the bytes it writes, and may start in the dictionary
		// and run on into the output.
		for j := int(at - dist); n > 0; j, n = j+1, n-1 {
			if j < len(p.dict) {
				out = append(out, p.dict[j])
			} else {
				out = append(out, out[j-len(p.dict)])
			}
		}
	}
	if uint64(len(out)) != size {
		return nil, errCorruptPacked
	}
	return out, nil
}
