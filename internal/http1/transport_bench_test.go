package http1

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// ackAnswer is the answer of a neutral receiver (nginx's, as bench/load.sh runs it), byte for byte.
var ackAnswer = []byte("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Wed, 02 Dec 2026 04:00:00 GMT\r\n" +
	"Content-Type: application/json\r\nContent-Length: 50\r\nConnection: keep-alive\r\n\r\n" +
	`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)

// BenchmarkReadAnswer is the lean client's cost of framing one acknowledgement: its head and
// its body, from memory.
func BenchmarkReadAnswer(b *testing.B) {
	for _, bc := range []struct {
		name string
		data []byte
	}{
		{"content-length", ackAnswer},
		{"chunked", []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" +
			`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}` + "\r\n0\r\n\r\n")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rd := bytes.NewReader(bc.data)
			br := bufio.NewReaderSize(rd, 4096)
			var buf [512]byte
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.data)))
			for b.Loop() {
				rd.Reset(bc.data)
				br.Reset(rd)
				h, err := readHead(br, nil)
				if err != nil {
					b.Fatal(err)
				}
				r, _ := h.body(br)
				n, err := io.ReadFull(r, buf[:50])
				if err != nil || n != 50 {
					b.Fatal(n, err)
				}
				if _, err := r.Read(buf[:]); err != io.EOF {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFastDeliver sends one webhook over the lean path (Post, as the client does) to a loopback server that answers as
// nginx does, without net/http on the server side: the client's own cost, system calls included.
func BenchmarkFastDeliver(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			// Each request is a head ending in CRLF CRLF and a body of Content-Length bytes.
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, req.Body)
			if _, err := c.Write(ackAnswer); err != nil {
				return
			}
		}
	}()
	defer func() { ln.Close(); <-done }()
	tr := New(nil, 1, "application/json")
	defer tr.CloseIdleConnections()
	tg, uri, ok := tr.Split("http://" + ln.Addr().String() + "/cb")
	if !ok {
		b.Fatal("not split")
	}
	body := []byte(`{"CallbackCommand":"Live.CallbackAfterDestroyRoom","RoomId":"r1","EventTime":1}`)
	var buf [512]byte
	read := func(r io.Reader) ([]byte, error) {
		n, err := io.ReadFull(r, buf[:50])
		if err != nil {
			return nil, err
		}
		if _, err := r.Read(buf[n:]); err != io.EOF {
			return nil, fmt.Errorf("no end after 50 bytes: %v", err)
		}
		return buf[:n], nil
	}
	b.ReportAllocs()
	for b.Loop() {
		if status, _, err := tr.Post(context.Background(), time.Now().Add(2*time.Second), tg, uri, body, read); status != 200 || err != nil {
			b.Fatal(status, err)
		}
	}
}
