package jobfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxFileSize is the largest job file ReadFile reads: 64 MiB, hundreds of
// times a large hand-written job, and a bound on the memory that parsing
// and planning one file can take.
const MaxFileSize = 64 << 20

// ErrTooLarge is returned, wrapped with the file's name, by ReadFile for a
// file over MaxFileSize, or a device like /dev/zero that never ends.
var ErrTooLarge = errors.New("larger than a job file may be")

// ReadFile reads the job file at path, refusing one over MaxFileSize. It
// stops reading at the limit rather than reading everything first, so that
// a path that never ends is refused as promptly as a large file.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var b bytes.Buffer
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		if st.Size() > MaxFileSize {
			return nil, tooLarge(path)
		}
		b.Grow(int(st.Size()) + 1) // one read, then EOF
	}
	// One byte over the limit tells a file at the limit from a longer one.
	if _, err := b.ReadFrom(io.LimitReader(f, MaxFileSize+1)); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if b.Len() > MaxFileSize {
		return nil, tooLarge(path)
	}
	return b.Bytes(), nil
}

func tooLarge(path string) error {
	return fmt.Errorf("%s: %w (the limit is %d MiB); is it the right file?", path, ErrTooLarge, MaxFileSize>>20)
}
