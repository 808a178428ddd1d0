package recording

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxLineBytes bounds a line on reading: a body of 1 MiB, escaped, fits many times over.
const MaxLineBytes = 16 << 20

// maxSkipsKept bounds the skipped lines a Scanner lists; it counts them all.
const maxSkipsKept = 100

// Skip is a line a Scanner skipped, and why.
type Skip struct {
	Line   int
	Reason string
}

func (s Skip) String() string { return fmt.Sprintf("line %d: %s", s.Line, s.Reason) }

// Scanner reads the entries of a recording one line at a time, in constant memory besides the
// line at hand. A line that is not an entry (a torn last line, a line damaged in the middle, a
// line over MaxLineBytes) is skipped and listed by Skipped; it is never taken for a delivery.
type Scanner struct {
	br      *bufio.Reader
	line    int
	entry   Entry
	err     error
	skipped []Skip
	nSkip   int
	buf     []byte
}

// NewScanner returns a Scanner reading r.
func NewScanner(r io.Reader) *Scanner {
	return &Scanner{br: bufio.NewReaderSize(r, 64<<10)}
}

// Scan advances to the next entry; it returns false at the end or on a read error (see Err).
func (s *Scanner) Scan() bool {
	for s.err == nil {
		line, complete, err := s.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			s.err = fmt.Errorf("recording: line %d: %w", s.line, err)
			return false
		}
		if line == nil && !complete {
			if errors.Is(err, io.EOF) {
				return false
			}
			continue // an over-long line, skipped
		}
		if len(bytes.TrimSpace(line)) > 0 {
			var e Entry
			perr := json.Unmarshal(line, &e)
			switch {
			case perr == nil:
				s.entry = e
				return true
			case !complete:
				s.skip(fmt.Sprintf("torn: the last line ends after %d bytes, without its newline, and is not a whole entry (the writer was stopped while writing it)", len(line)))
			default:
				s.skip(fmt.Sprintf("not an entry: %v", perr))
			}
		}
		if errors.Is(err, io.EOF) {
			return false
		}
	}
	return false
}

// readLine reads the next line without its newline; complete is false for a last line without
// one. An over-long line is discarded (nil, false, nil) and skipped.
func (s *Scanner) readLine() (line []byte, complete bool, err error) {
	s.line++
	s.buf = s.buf[:0]
	for {
		chunk, err := s.br.ReadSlice('\n')
		if len(s.buf)+len(chunk) > MaxLineBytes {
			s.skip(fmt.Sprintf("over %d bytes", MaxLineBytes))
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = s.br.ReadSlice('\n')
			}
			if s.buf = nil; err != nil {
				return nil, false, err
			}
			return nil, false, nil
		}
		s.buf = append(s.buf, chunk...)
		switch {
		case err == nil:
			return s.buf[:len(s.buf)-1], true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case len(s.buf) == 0:
			return nil, false, err
		default:
			return s.buf, false, err
		}
	}
}

func (s *Scanner) skip(reason string) {
	s.nSkip++
	if len(s.skipped) < maxSkipsKept {
		s.skipped = append(s.skipped, Skip{Line: s.line, Reason: reason})
	}
}

// Entry is the entry the last Scan read.
func (s *Scanner) Entry() Entry { return s.entry }

// Err is the read error that ended the scan; nil at the end of the input.
func (s *Scanner) Err() error { return s.err }

// Skipped lists the lines skipped so far (the first hundred) and counts them all.
func (s *Scanner) Skipped() ([]Skip, int) { return s.skipped, s.nSkip }
