//go:build !unix

package kinesislocal

import (
	"fmt"
	"os"
)

// lockDir creates path; without flock there is no protection against two
// endpoints sharing a data directory.
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, fileMode)
	if err != nil {
		return nil, fmt.Errorf("opening lock file %s: %w", path, err)
	}
	return f, nil
}

func unlockDir(f *os.File) error { return f.Close() }
