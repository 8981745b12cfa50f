/** Hands a fetched file to the browser's downloads (the token stays in the request, never in a URL). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // Some browsers read the object URL after click() returns; free it on the next turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
