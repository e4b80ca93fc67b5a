package checkpoint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// encode returns cp's compact JSON and its CRC-32C, the form every store
// keeps: the checksum finds a truncated or corrupted copy.
func encode(cp *Checkpoint) ([]byte, uint32, error) {
	body, err := json.Marshal(cp)
	if err != nil {
		return nil, 0, fmt.Errorf("encoding checkpoint %d of job %q: %w", cp.ID, cp.Job, err)
	}
	return body, crc32.Checksum(body, castagnoli), nil
}

// decode checks body (JSON, compacted again before checking, as a file
// holds it indented) against crc and reads the checkpoint stored at ref.
func decode(ref string, body []byte, crc uint32) (*Checkpoint, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		return nil, fmt.Errorf("checkpoint %s is corrupt: %w", ref, err)
	}
	if crc32.Checksum(compact.Bytes(), castagnoli) != crc {
		return nil, fmt.Errorf("checkpoint %s is corrupt: its checksum does not match", ref)
	}
	var cp Checkpoint
	if err := json.Unmarshal(compact.Bytes(), &cp); err != nil {
		return nil, fmt.Errorf("checkpoint %s is corrupt: %w", ref, err)
	}
	cp.Ref = ref
	return &cp, nil
}
