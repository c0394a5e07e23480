// What a page for administrators shows everyone else: no call is made, the reason is said.
export function AdminOnly({ what }) {
  return (
    <section class="notice" role="status">
      <h2>Only administrators can open this page</h2>
      <p>{what} Ask an administrator of this Salestrace to show you the figures, or to make your user an administrator.</p>
      <p>
        <a href="#/traces">Go to the traces you may read</a>
      </p>
    </section>
  );
}
