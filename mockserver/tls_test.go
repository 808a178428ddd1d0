package mockserver_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/mockserver"
)

// The mock behind its own TLS, with a certificate made for the vendor's host name and loopback:
// a client that trusts the certificate reaches it; one that does not is refused.
func TestSelfSignedTLS(t *testing.T) {
	g := NewWithT(t)
	cert, pemBytes, err := mockserver.SelfSigned("console.tim.qq.com", "127.0.0.1")
	g.Expect(err).NotTo(HaveOccurred())
	s, err := mockserver.NewUnstartedServer(mockserver.Config{SDKAppID: appID, SkipUserSig: true})
	g.Expect(err).NotTo(HaveOccurred())
	s.Listener = tls.NewListener(s.Listener, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	g.Expect(s.Start()).To(Succeed())
	t.Cleanup(s.Close)
	url := strings.Replace(s.URL, "http://", "https://", 1) + mockserver.EnginePrefix + "get_room_list?" + plainQuery().Encode()

	pool := x509.NewCertPool()
	g.Expect(pool.AppendCertsFromPEM(pemBytes)).To(BeTrue())
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "console.tim.qq.com"}}}
	resp, err := trusting.Post(url, "application/json", strings.NewReader(`{}`))
	g.Expect(err).NotTo(HaveOccurred())
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	g.Expect(string(b)).To(ContainSubstring(`"ActionStatus":"OK"`))

	_, err = http.Post(url, "application/json", strings.NewReader(`{}`))
	g.Expect(err).To(MatchError(ContainSubstring("certificate")))

	_, _, err = mockserver.SelfSigned()
	g.Expect(err).To(MatchError(ContainSubstring("at least one name")))
}
