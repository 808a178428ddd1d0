package recording

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// SyncInterval is how often at most a Writer on a file asks the disk to keep what it wrote
// (fsync). A line is in the operating system's hands as soon as Write returns, so it survives
// the process being killed; the interval bounds what a power cut can take.
const SyncInterval = time.Second

// Writer appends entries to a recording, one line each, in one write per line and with no
// buffer of its own: what Write returned for is in the file, whatever happens to the process
// next. It is safe for concurrent use.
type Writer struct {
	mu       sync.Mutex
	w        io.Writer
	f        *os.File
	redact   *Redactor
	buf      bytes.Buffer
	lastSync time.Time
	err      error
	closed   bool
}

// Option configures a Writer.
type Option func(*Writer)

// WithRedactor redacts each entry with r before it is written.
func WithRedactor(r *Redactor) Option { return func(w *Writer) { w.redact = r } }

// NewWriter returns a Writer appending to w.
func NewWriter(w io.Writer, opts ...Option) *Writer {
	wr := &Writer{w: w}
	for _, o := range opts {
		o(wr)
	}
	return wr
}

// Create opens the file at path for appending (creating it, readable by its owner only: a
// recording holds what users sent). When the file ends in a torn line, a newline goes first,
// so that the torn line stays one line of its own, reported and skipped on reading.
func Create(path string, opts ...Option) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	if err := endLine(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("recording: %s: %w", path, err)
	}
	w := NewWriter(f, opts...)
	w.f, w.lastSync = f, time.Now()
	return w, nil
}

// endLine writes a newline when f is not empty and does not end with one.
func endLine(f *os.File) error {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, st.Size()-1); err != nil {
		return err
	}
	if last[0] != '\n' {
		_, err = f.Write([]byte{'\n'})
	}
	return err
}

// Write appends e (redacted first, when the Writer redacts) as one line. After a failed write
// every Write returns the first error: a recording with a hole in it is not continued.
func (w *Writer) Write(e Entry) error {
	if w.redact != nil {
		w.redact.Entry(&e)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	w.buf.Reset()
	enc := json.NewEncoder(&w.buf) // Encode ends the line
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&e); err != nil {
		return fmt.Errorf("recording: entry %d: %w", e.Seq, err)
	}
	if _, err := w.w.Write(w.buf.Bytes()); err != nil {
		w.err = fmt.Errorf("recording: %w", err)
		return w.err
	}
	if w.buf.Cap() > 1<<20 {
		w.buf = bytes.Buffer{} // one large body does not stay held
	}
	if w.f != nil && time.Since(w.lastSync) >= SyncInterval {
		w.lastSync = time.Now()
		if err := w.f.Sync(); err != nil {
			w.err = fmt.Errorf("recording: %w", err)
			return w.err
		}
	}
	return nil
}

// Close asks the disk to keep what was written and closes the file; on a Writer made by
// NewWriter it does nothing else. It returns the first error of any Write, too. Writes after
// Close fail; a second Close returns nil.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	// w.err says "recording:" already; only what fails here is wrapped.
	first := w.err
	var err error
	if w.f != nil {
		if err = errors.Join(w.f.Sync(), w.f.Close()); err != nil {
			err = fmt.Errorf("recording: %w", err)
		}
	}
	if w.err == nil {
		w.err = errors.New("recording: the writer is closed")
	}
	if first != nil {
		return first // the sync of a file that failed a write fails the same way: said once
	}
	return err
}
