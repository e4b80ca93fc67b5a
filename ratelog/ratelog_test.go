package ratelog

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a time a test moves by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestLimiter(every time.Duration) (*Limiter, *bytes.Buffer, *clock) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
	c := &clock{t: time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)}
	l := New(log, every)
	l.now = c.now
	return l, &buf, c
}

func lines(buf *bytes.Buffer) []string {
	s := strings.TrimSpace(buf.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestFirstFailureIsLoggedAtOnceAndRepeatsAreCounted(t *testing.T) {
	l, buf, c := newTestLimiter(5 * time.Second)
	for i := 0; i < 1000; i++ {
		l.Warn("orders/PutRecords", "PutRecords failed; retrying", slog.Int("records", 10))
		c.advance(10 * time.Millisecond) // 1000 failures over 10 s
	}
	got := lines(buf)
	// One line at 0 s, one at 5 s; the failures after it wait for the next.
	if len(got) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(got), buf)
	}
	if strings.Contains(got[0], "held_back") {
		t.Errorf("the first line says something was held back: %s", got[0])
	}
	for _, want := range []string{"level=WARN", "held_back=499", "failures=501", "failing_for=5s", "records=10"} {
		if !strings.Contains(got[1], want) {
			t.Errorf("second line %q lacks %q", got[1], want)
		}
	}
}

func TestKindsAreLimitedApart(t *testing.T) {
	l, buf, _ := newTestLimiter(5 * time.Second)
	for i := 0; i < 3; i++ {
		l.Warn("orders/GetRecords", "GetRecords failed; retrying")
		l.Warn("clicks/GetRecords", "GetRecords failed; retrying")
	}
	if got := lines(buf); len(got) != 2 {
		t.Fatalf("got %d lines, want one per kind:\n%s", len(got), buf)
	}
}

func TestRecoveredSaysHowManyFailedAndForHowLong(t *testing.T) {
	l, buf, c := newTestLimiter(5 * time.Second)
	l.Recovered("orders/PutRecords", "PutRecords succeeds again")
	if buf.Len() != 0 {
		t.Fatalf("a recovery without failures was logged: %s", buf)
	}
	l.Warn("orders/PutRecords", "PutRecords failed; retrying")
	c.advance(time.Second)
	l.Warn("orders/PutRecords", "PutRecords failed; retrying")
	c.advance(2 * time.Second)
	// A success 2 s after a failure may be a flaky endpoint: not yet.
	l.Recovered("orders/PutRecords", "PutRecords succeeds again")
	if got := lines(buf); len(got) != 1 {
		t.Fatalf("a success within the interval of a failure logged a recovery:\n%s", buf)
	}
	c.advance(3 * time.Second)
	l.Recovered("orders/PutRecords", "PutRecords succeeds again")
	got := lines(buf)
	if len(got) != 2 {
		t.Fatalf("got %d lines, want the failure and the recovery:\n%s", len(got), buf)
	}
	for _, want := range []string{"level=INFO", "failures=2", "failed_for=1s"} {
		if !strings.Contains(got[1], want) {
			t.Errorf("recovery line %q lacks %q", got[1], want)
		}
	}
	l.Recovered("orders/PutRecords", "PutRecords succeeds again")
	if got := lines(buf); len(got) != 2 {
		t.Fatalf("a recovery was logged twice:\n%s", buf)
	}
	// A new failure after the recovery is news: logged at once.
	l.Warn("orders/PutRecords", "PutRecords failed; retrying")
	if got := lines(buf); len(got) != 3 || strings.Contains(got[2], "held_back") {
		t.Fatalf("a failure after recovery was not logged afresh:\n%s", buf)
	}
}

func TestAFlakyEndpointStaysWithinTwoLinesAnInterval(t *testing.T) {
	l, buf, c := newTestLimiter(5 * time.Second)
	for i := 0; i < 1000; i++ { // every other call fails for 10 s
		if i%2 == 0 {
			l.Warn("orders/PutRecords", "PutRecords failed; retrying")
		} else {
			l.Recovered("orders/PutRecords", "PutRecords succeeds again")
		}
		c.advance(10 * time.Millisecond)
	}
	if got := lines(buf); len(got) != 2 {
		t.Fatalf("500 failures between successes over 10 s wrote %d lines, want 2:\n%s", len(got), buf)
	}
}

func TestConcurrentRetryLoopsShareOneLimiter(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, nil))
	l := New(log, time.Hour)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 500; j++ {
				l.Warn("orders/GetRecords", "GetRecords failed; retrying")
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if got := lines(&buf); len(got) != 1 {
		t.Fatalf("4000 failures within the interval wrote %d lines, want 1", len(got))
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}
