// Package linelog writes log lines to a stream from a goroutine of its own, so that a stream
// nobody reads (a pipe not drained, a terminal paused with Ctrl-S) never holds up the code that
// logs, such as a receiver about to answer a webhook: beyond a bound, lines are dropped and
// counted, and the count is said in the stream once it moves again.
package linelog

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

// DefaultLines is how many lines a Log holds for its stream before it drops new ones.
const DefaultLines = 4096

// Log is an asynchronous, bounded line writer. It is safe for concurrent use.
type Log struct {
	w       io.Writer
	lines   chan string
	dropped atomic.Uint64
	done    chan struct{}

	mu     sync.RWMutex // guards closed against Print sending on a closed channel
	closed bool
}

// New returns a Log writing to w, holding at most size lines (DefaultLines when size <= 0).
// Close it to write what it holds and end its goroutine.
func New(w io.Writer, size int) *Log {
	if size <= 0 {
		size = DefaultLines
	}
	l := &Log{w: w, lines: make(chan string, size), done: make(chan struct{})}
	go l.run()
	return l
}

// Print queues line (a newline is added) and returns at once; when the Log holds its bound
// already, or is closed, the line is dropped and counted instead.
func (l *Log) Print(line string) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		l.dropped.Add(1)
		return
	}
	select {
	case l.lines <- line + "\n":
	default:
		l.dropped.Add(1)
	}
}

// Printf is Print with fmt.Sprintf's formatting.
func (l *Log) Printf(format string, args ...any) { l.Print(fmt.Sprintf(format, args...)) }

// Dropped returns how many lines were dropped so far.
func (l *Log) Dropped() uint64 { return l.dropped.Load() }

func (l *Log) run() {
	defer close(l.done)
	var said uint64
	for line := range l.lines {
		if _, err := io.WriteString(l.w, line); err != nil {
			l.dropped.Add(1)
		}
		// Once the stream has taken what was queued, say what it missed.
		if n := l.dropped.Load(); n > said && len(l.lines) == 0 {
			_, _ = fmt.Fprintf(l.w, "(%d log lines dropped: the output was not read fast enough)\n", n-said)
			said = n
		}
	}
}

// Close stops taking lines and waits until those held are written, or until ctx ends: a
// stream that still blocks then is left with the one write it is blocked in, which ends with
// the process. It returns ctx's error in that case. Later calls wait the same way.
func (l *Log) Close(ctx context.Context) error {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.lines)
	}
	l.mu.Unlock()
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("linelog: the output still blocks: %w", ctx.Err())
	}
}
