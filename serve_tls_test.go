package main_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"

	"github.com/livehook/livehook/mockserver"
)

// keyPair writes a certificate for 127.0.0.1 and its private key as PEM files.
func keyPair(dir string) (certFile, keyFile string) {
	GinkgoHelper()
	cert, certPEM, err := mockserver.SelfSigned("127.0.0.1")
	Expect(err).NotTo(HaveOccurred())
	der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	Expect(err).NotTo(HaveOccurred())
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	Expect(os.WriteFile(certFile, certPEM, 0o644)).To(Succeed())
	Expect(os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)).To(Succeed())
	return certFile, keyFile
}

// createOverHTTPS creates a room on the mock at base through client and returns the answer.
func createOverHTTPS(client *http.Client, base, roomID string) (string, error) {
	resp, err := client.Post(base+mockserver.EnginePrefix+"create_room?sdkappid=1400000001&identifier=administrator&random=1&contenttype=json",
		"application/json", strings.NewReader(`{"RoomInfo":{"RoomId":"`+roomID+`","RoomType":"Live"}}`))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// trusting is an HTTPS client that trusts only the certificates in pemFile.
func trusting(pemFile string) *http.Client {
	GinkgoHelper()
	b, err := os.ReadFile(pemFile)
	Expect(err).NotTo(HaveOccurred())
	pool := x509.NewCertPool()
	Expect(pool.AppendCertsFromPEM(b)).To(BeTrue(), "the PEM holds a certificate")
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
}

var httpsURL = regexp.MustCompile(`listens on (https://127\.0\.0\.1:\d+)`)

var _ = Describe("livehook serve over TLS", func() {
	It("serves a self-signed certificate that a client given the --tls-cert-out PEM trusts, and answers REST calls over HTTPS", func() {
		out := filepath.Join(GinkgoT().TempDir(), "mock-cert.pem")
		s := start("serve", "--addr", "127.0.0.1:0", "--skip-usersig", "--tls-self-signed", "console.tim.qq.com, 127.0.0.1", "--tls-cert-out", out, "-q")
		Eventually(s.Out, 10*time.Second).Should(gbytes.Say(`listens on https://127\.0\.0\.1:\d+`))
		Eventually(s.Out).Should(gbytes.Say(`TLS: a self-signed certificate for console\.tim\.qq\.com, 127\.0\.0\.1, valid 720h0m0s, written to ` + regexp.QuoteMeta(out)))
		base := httpsURL.FindStringSubmatch(string(s.Out.Contents()))[1]
		Expect(base).NotTo(HaveSuffix(":9090"), "an OS-chosen port")

		answer, err := createOverHTTPS(trusting(out), base, "tls_room")
		Expect(err).NotTo(HaveOccurred())
		Expect(answer).To(ContainSubstring(`"ActionStatus":"OK"`))

		b, err := os.ReadFile(out)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b)).NotTo(ContainSubstring("PRIVATE KEY"), "the PEM written for clients holds no key")
		block, _ := pem.Decode(b)
		cert, err := x509.ParseCertificate(block.Bytes)
		Expect(err).NotTo(HaveOccurred())
		Expect(cert.DNSNames).To(Equal([]string{"console.tim.qq.com"}))
		Expect(cert.IPAddresses).To(HaveLen(1))

		_, err = createOverHTTPS(&http.Client{Timeout: 10 * time.Second}, base, "tls_room_2")
		Expect(err).To(MatchError(ContainSubstring("certificate")), "a client that does not trust it is refused")
		_, err = createOverHTTPS(trusting(keyPairDirCert()), base, "tls_room_3")
		Expect(err).To(MatchError(ContainSubstring("certificate")), "nor does another certificate stand in for it")
	})

	It("serves the certificate of --tls-cert and --tls-key", func() {
		certFile, keyFile := keyPair(GinkgoT().TempDir())
		s := start("serve", "--addr", "127.0.0.1:0", "--skip-usersig", "--tls-cert", certFile, "--tls-key", keyFile, "-q")
		Eventually(s.Out, 10*time.Second).Should(gbytes.Say(`listens on https://127\.0\.0\.1:\d+`))
		base := httpsURL.FindStringSubmatch(string(s.Out.Contents()))[1]
		answer, err := createOverHTTPS(trusting(certFile), base, "tls_room")
		Expect(err).NotTo(HaveOccurred())
		Expect(answer).To(ContainSubstring(`"ActionStatus":"OK"`))
		Expect(string(s.Out.Contents())).NotTo(ContainSubstring("self-signed"))
	})

	It("refuses TLS flags that do not go together, and files it cannot use, saying which", func() {
		dir := GinkgoT().TempDir()
		certFile, keyFile := keyPair(dir)
		_, otherKey := keyPair(GinkgoT().TempDir())
		notPEM := writeFile("not.pem", "not a certificate\n")
		missing := filepath.Join(dir, "missing.pem")
		for _, tc := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"--tls-cert", certFile}, 2, `--tls-cert without --tls-key: give both PEM files`},
			{[]string{"--tls-key", keyFile}, 2, `--tls-key without --tls-cert: give both PEM files`},
			{[]string{"--tls-self-signed", "127.0.0.1", "--tls-cert", certFile, "--tls-key", keyFile}, 2, `--tls-self-signed makes its own certificate: leave out --tls-cert and --tls-key`},
			{[]string{"--tls-self-signed", "127.0.0.1", "--tls-key", keyFile}, 2, `--tls-self-signed makes its own certificate`},
			{[]string{"--tls-cert", missing, "--tls-key", keyFile}, 2, `--tls-cert ` + regexp.QuoteMeta(missing) + `, --tls-key .*: open ` + regexp.QuoteMeta(missing) + `: no such file or directory`},
			{[]string{"--tls-cert", certFile, "--tls-key", missing}, 2, `open ` + regexp.QuoteMeta(missing) + `: no such file or directory`},
			{[]string{"--tls-cert", notPEM, "--tls-key", keyFile}, 2, `--tls-cert ` + regexp.QuoteMeta(notPEM) + `.*failed to find any PEM data in certificate input`},
			{[]string{"--tls-cert", certFile, "--tls-key", otherKey}, 2, `private key does not match public key`},
			{[]string{"--tls-self-signed", " , "}, 2, `--tls-self-signed: mockserver: a self-signed certificate needs at least one name`},
			{[]string{"--tls-self-signed", "127.0.0.1", "--tls-cert-out", filepath.Join(dir, "no-such-dir", "c.pem")}, 3, `--tls-cert-out: open .*no-such-dir/c\.pem: no such file or directory`},
		} {
			s := runs(tc.code, append([]string{"serve", "--addr", "127.0.0.1:0", "--skip-usersig"}, tc.args...)...)
			Expect(s.Err).To(gbytes.Say(tc.want), strings.Join(tc.args, " "))
			Expect(string(s.Out.Contents())).NotTo(ContainSubstring("listens on"), "nothing served: %s", strings.Join(tc.args, " "))
		}
	})
})

// keyPairDirCert is the certificate file of a key pair made afresh, which no mock serves.
func keyPairDirCert() string {
	GinkgoHelper()
	c, _ := keyPair(GinkgoT().TempDir())
	return c
}
