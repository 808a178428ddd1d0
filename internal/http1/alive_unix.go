//go:build unix

package http1

import (
	"net"
	"syscall"
)

// alive reports whether a kept-alive connection is still open: a peek that must not wait finds
// nothing to read on an open, idle connection, and end-of-file on one the server closed.
func alive(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	open := true
	var buf [1]byte
	err = raw.Read(func(fd uintptr) bool {
		n, _, rerr := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK:
			open = true // nothing to read: open and idle
		case rerr != nil || n == 0:
			open = false // closed or reset
		default:
			open = false // bytes nobody asked for: the connection is out of step
		}
		return true
	})
	return err == nil && open
}
