package main

import (
	"net"
	"strings"
	"testing"

	"github.com/livehook/livehook/mockserver"
)

func TestListenWarning(t *testing.T) {
	any4 := &net.TCPAddr{IP: net.IPv4zero, Port: 9090}
	lan := &net.TCPAddr{IP: net.ParseIP("192.168.1.5"), Port: 9090}
	for _, tc := range []struct {
		addr net.Addr
		skip bool
		key  string
		want string
	}{
		{&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 9090}, false, mockserver.DefaultSecretKey, ""},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 9090}, true, mockserver.DefaultSecretKey, ""},
		{any4, false, mockserver.DefaultSecretKey, "with the default --secret-key, which is public"},
		{lan, false, mockserver.DefaultSecretKey, "listening on 192.168.1.5:9090, beyond loopback"},
		{any4, true, "own-key", "with --skip-usersig: anyone who reaches it"},
		{any4, false, "own-key", ""},
	} {
		got := listenWarning(tc.addr, tc.skip, tc.key)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("listenWarning(%v, %v, %q) = %q, want %q", tc.addr, tc.skip, tc.key, got, tc.want)
		}
	}
}
