// While a peer's library is being copied, refresh the peers page every few seconds so the
// progress bars move. Without JavaScript the page still shows the state at load time.
if (document.querySelector("[data-backfilling]")) {
  setTimeout(() => location.reload(), 3000);
}
