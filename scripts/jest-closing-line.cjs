// Jest reporter that ends the run with one plain line, "Tests: N passed, N failed", which
// CI logs and other tools read as the run's result.
class ClosingLineReporter {
  onRunComplete(_contexts, results) {
    process.stdout.write(`Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed\n`);
  }
}
module.exports = ClosingLineReporter;
