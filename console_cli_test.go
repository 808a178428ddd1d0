package main_test

import (
	"io"
	"net/http"
	"regexp"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"
)

var _ = Describe("livehook receive's console", func() {
	It("prints the console's URL at start and serves the page there to a browser", func() {
		s := start("receive", "--addr", "127.0.0.1:0")
		base := receiverURL(s)
		Eventually(s.Out).Should(gbytes.Say(`Console: open ` + regexp.QuoteMeta(base) + `/ in a browser\n`))
		req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
		req.Header.Set("Accept", "text/html")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(string(page)).To(ContainSubstring("<title>livehook console</title>"))
		s.Signal(syscall.SIGINT)
		Eventually(s, 10*time.Second).Should(gexec.Exit(0))
		Expect(s.Out).To(gbytes.Say(`0 accepted, 0 refused`), "the page is not a delivery")
	})

	It("says it asks for the token when one is set, and is off with --no-console", func() {
		s := start("receive", "--addr", "127.0.0.1:0", "--token", "tok")
		receiverURL(s)
		Eventually(s.Out).Should(gbytes.Say(`Console: open http://127\.0\.0\.1:\d+/ in a browser \(it asks for the token\)`))
		s.Signal(syscall.SIGINT)
		Eventually(s, 10*time.Second).Should(gexec.Exit(0))

		s = start("receive", "--addr", "127.0.0.1:0", "--no-console")
		receiverURL(s)
		Eventually(s.Out).Should(gbytes.Say(`Deliveries: GET`))
		s.Signal(syscall.SIGINT)
		Eventually(s, 10*time.Second).Should(gexec.Exit(0))
		Expect(string(s.Out.Contents())).NotTo(ContainSubstring("Console:"))
	})

	It("says where the console is in receive -h and serve -h", func() {
		Expect(runs(0, "receive", "-h").Out).To(gbytes.Say(`open http://127\.0\.0\.1:8080/`))
		Expect(runs(0, "serve", "-h").Out).To(gbytes.Say(`open http://127\.0\.0\.1:9090/`))
	})
})

var _ = Describe("livehook serve's console", func() {
	It("prints the console's URL at start and serves the page there to a browser", func() {
		s := start("serve", "--addr", "127.0.0.1:0", "--skip-usersig")
		Eventually(s.Out, 10*time.Second).Should(gbytes.Say(`Console: open (http://127\.0\.0\.1:\d+)/ in a browser\n`))
		base := regexp.MustCompile(`Console: open (http://127\.0\.0\.1:\d+)/`).FindStringSubmatch(string(s.Out.Contents()))[1]
		req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
		req.Header.Set("Accept", "text/html")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(string(page)).To(ContainSubstring("<title>livehook console: serve</title>"))
		s.Signal(syscall.SIGINT)
		Eventually(s, 10*time.Second).Should(gexec.Exit(0))
	})
})
