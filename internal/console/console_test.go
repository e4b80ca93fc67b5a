package console_test

import (
	"fmt"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/internal/actortest"
	"github.com/shardflow/shardflow/internal/console"
)

const clear = "\r\033[K"

// screenLines returns what each line of a terminal's output shows at its
// end: the text after the last erase, as a person reads it.
func screenLines(out string) []string {
	var shown []string
	for _, line := range strings.Split(out, "\n") {
		if i := strings.LastIndex(line, clear); i >= 0 {
			line = line[i+len(clear):]
		}
		shown = append(shown, line)
	}
	return shown
}

var _ = Describe("the status line", func() {
	var (
		screen *actortest.SyncBuffer
		c      *console.Console
		rows   fmt.Stringer
	)
	BeforeEach(func() {
		screen = &actortest.SyncBuffer{}
		rows = screen
		c = console.New(screen, func() int { return 20 })
	})

	It("is cleared before a row and drawn again after it", func() {
		c.SetStatus("orders 5 rows/s")
		fmt.Fprint(c.Writer(screen), "+I[1, a]\n")
		Expect(rows.String()).To(Equal("orders 5 rows/s" + clear + "+I[1, a]\norders 5 rows/s"))
		c.SetStatus("orders 6 rows/s")
		Expect(rows.String()).To(HaveSuffix("\norders 5 rows/s" + clear + "orders 6 rows/s"))
	})

	It("waits for the end of a row written in parts", func() {
		c.SetStatus("status")
		w := c.Writer(screen)
		fmt.Fprint(w, "+I[1, ")
		c.SetStatus("newer")
		fmt.Fprint(w, "a]\n")
		Expect(rows.String()).To(Equal("status" + clear + "+I[1, a]\nnewer"))
	})

	It("is cut to the terminal's width and stays on one line", func() {
		c.SetStatus("a very long status line\nthat goes on")
		Expect(rows.String()).To(Equal("a very long status "))
	})

	It("is gone after Clear", func() {
		c.SetStatus("status")
		c.Clear()
		fmt.Fprint(c.Writer(screen), "done\n")
		Expect(rows.String()).To(Equal("status" + clear + "done\n"))
	})

	It("never lands inside a row, with several writers and updates at once", func() {
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := c.Writer(screen)
				for i := range 200 {
					fmt.Fprintf(w, "+I[%d, %d]\n", g, i)
				}
			}()
		}
		for i := range 200 {
			c.SetStatus(fmt.Sprintf("%d rows/s", i))
		}
		wg.Wait()
		c.Clear()
		shown := screenLines(rows.String())
		Expect(shown[len(shown)-1]).To(BeEmpty())
		for _, line := range shown[:len(shown)-1] {
			Expect(line).To(MatchRegexp(`^\+I\[\d, \d+\]$`))
		}
	})
})
