import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** A change of key (e.g. the route) clears the error. */
  resetKey: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
  resetKey: string;
}

/** Keeps the shell usable when one view fails to render. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey === state.resetKey ? null : { error: null, resetKey: props.resetKey };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('Replica Sync view failed:', error, info.componentStack);
  }

  override render() {
    if (this.state.error) {
      return (
        <div className="notice notice-error" role="alert">
          <p className="notice-title">This view could not be shown.</p>
          <p>{this.state.error.message}</p>
          <p className="notice-actions">
            <button type="button" onClick={() => this.setState({ error: null })}>
              Try again
            </button>
          </p>
        </div>
      );
    }
    return this.props.children;
  }
}
