package httpserver

import (
	"net/http"
	"testing"
	"time"
)

func TestDefaultsAndOverrides(t *testing.T) {
	s := New(http.NotFoundHandler(), Timeouts{})
	if s.ReadHeaderTimeout != DefaultReadHeaderTimeout || s.ReadTimeout != DefaultReadTimeout || s.WriteTimeout != DefaultWriteTimeout ||
		s.IdleTimeout != DefaultIdleTimeout || s.MaxHeaderBytes != MaxHeaderBytes {
		t.Fatalf("defaults: %+v", s)
	}
	s = New(http.NotFoundHandler(), Timeouts{ReadHeader: time.Second, Read: 2 * time.Second, Write: 3 * time.Second, Idle: 4 * time.Second})
	if s.ReadHeaderTimeout != time.Second || s.ReadTimeout != 2*time.Second || s.WriteTimeout != 3*time.Second || s.IdleTimeout != 4*time.Second {
		t.Fatalf("overrides: %+v", s)
	}
	if s = New(http.NotFoundHandler(), Timeouts{Write: -time.Second}); s.WriteTimeout != DefaultWriteTimeout {
		t.Fatalf("a negative timeout takes the default, got %v", s.WriteTimeout)
	}
}
