interface Props {
  label: string;
}

export function LoadingNotice({ label }: Props) {
  return (
    <p className="loading" aria-busy="true">
      {label}
    </p>
  );
}
