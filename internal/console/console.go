package console

import (
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// clearLine returns the cursor to the start of the line and erases it.
const clearLine = "\r\033[K"

// Console serialises the writes to one terminal and keeps a status line
// on its last line. Its methods are safe for concurrent use.
type Console struct {
	mu     sync.Mutex
	status io.Writer
	width  func() int
	line   string
	// drawn is set while the status line is on the screen; atLineStart
	// while the last byte written was a newline (or nothing was written).
	drawn       bool
	atLineStart bool
}

// New returns a console drawing its status line on status (the terminal's
// standard error). width gives the terminal's width in columns, 0 when
// unknown; the line is cut to one column less, so that it never wraps.
func New(status io.Writer, width func() int) *Console {
	return &Console{status: status, width: width, atLineStart: true}
}

// Writer returns a writer to w (the terminal's standard output or error)
// that goes through c.
func (c *Console) Writer(w io.Writer) io.Writer { return &writer{c: c, w: w} }

type writer struct {
	c *Console
	w io.Writer
}

// Write clears the status line, writes p, and draws the line again if p
// ended a line.
func (w *writer) Write(p []byte) (int, error) {
	c := w.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.erase()
	n, err := w.w.Write(p)
	if n > 0 {
		c.atLineStart = p[n-1] == '\n'
	}
	c.draw()
	return n, err
}

// SetStatus replaces the status line. It is drawn now when the output
// stands at the start of a line, else after the write that ends the line.
func (c *Console) SetStatus(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.erase()
	c.line = c.fit(line)
	c.draw()
}

// Clear erases the status line and draws none until the next SetStatus.
func (c *Console) Clear() { c.SetStatus("") }

// erase removes the status line from the screen.
func (c *Console) erase() {
	if c.drawn {
		_, _ = io.WriteString(c.status, clearLine)
		c.drawn = false
	}
}

// draw puts the status line on the screen, at the start of a line only.
func (c *Console) draw() {
	if c.line == "" || !c.atLineStart || c.drawn {
		return
	}
	_, _ = io.WriteString(c.status, c.line)
	c.drawn = true
}

// fit cuts line to the terminal's width less one column, and drops the
// newlines and carriage returns that would move the cursor off its line.
func (c *Console) fit(line string) string {
	line = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, line)
	w := 0
	if c.width != nil {
		w = c.width() - 1
	}
	if w <= 0 || utf8.RuneCountInString(line) <= w {
		return line
	}
	return string([]rune(line)[:w])
}
