package linelog_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/internal/linelog"
)

// stalled is a stream nobody reads until release is closed.
type stalled struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
	mu      sync.Mutex
	buf     bytes.Buffer
}

func newStalled() *stalled {
	return &stalled{entered: make(chan struct{}), release: make(chan struct{})}
}

func (s *stalled) Write(p []byte) (int, error) {
	s.once.Do(func() { close(s.entered) })
	<-s.release
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *stalled) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// A stream that is not read never holds up Print: the lines beyond the bound are dropped,
// counted, and the count is said once the stream moves.
func TestStalledStreamDropsAndCounts(t *testing.T) {
	g := NewWithT(t)
	w := newStalled()
	l := linelog.New(w, 8)
	l.Print("line 0")
	<-w.entered // the goroutine holds line 0, blocked in Write
	for i := 1; i <= 1000; i++ {
		l.Print(fmt.Sprintf("line %d", i)) // would deadlock here if Print waited for the stream
	}
	g.Expect(l.Dropped()).To(Equal(uint64(1000 - 8)))
	close(w.release)
	g.Expect(l.Close(context.Background())).To(Succeed())
	out := w.String()
	g.Expect(strings.Count(out, "\n")).To(Equal(1 + 8 + 1))
	g.Expect(out).To(HavePrefix("line 0\nline 1\n"))
	g.Expect(out).To(HaveSuffix("line 8\n(992 log lines dropped: the output was not read fast enough)\n"))
	l.Print("after close")
	g.Expect(l.Dropped()).To(Equal(uint64(993)))
}

// A stream that keeps up loses nothing, and Close writes every line held.
func TestReadStreamLosesNothing(t *testing.T) {
	g := NewWithT(t)
	var mu sync.Mutex
	var buf bytes.Buffer
	l := linelog.New(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), 0)
	for i := range 100 {
		l.Printf("line %d", i)
	}
	g.Expect(l.Close(context.Background())).To(Succeed())
	g.Expect(strings.Count(buf.String(), "\n")).To(Equal(100))
	g.Expect(l.Dropped()).To(BeZero())
}

// Close is bounded by its context when the stream never moves.
func TestCloseIsBounded(t *testing.T) {
	g := NewWithT(t)
	w := newStalled()
	l := linelog.New(w, 1)
	l.Print("stuck")
	<-w.entered
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	g.Expect(l.Close(ctx)).To(MatchError(ContainSubstring("the output still blocks")))
	close(w.release) // the goroutine ends with its write
	g.Expect(l.Close(context.Background())).To(Succeed())
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
