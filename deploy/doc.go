// Package deploy holds the checks of livehook's deployment files: the Dockerfile at the root of
// the repository, the Kubernetes Job in k8s/ and the GitHub Actions workflow in ci/. It is a
// module of its own so that the Kubernetes and BuildKit packages the checks need stay out of
// livehook's dependencies. Run them with deploy/check.sh, which needs neither a Docker engine nor
// a cluster.
package deploy
