package clickup

// Unpack gives the external tests the resource a listed user's Raw holds.
func (c *SCIMClient) Unpack(raw []byte) ([]byte, error) { return c.packer.unpack(raw) }
